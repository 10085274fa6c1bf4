"""`python -m migration migrate|fill …`: the migration commands without the formwerk CLI.

The batch mode runs one of these per PDF as its worker process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .commands import register


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m migration")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

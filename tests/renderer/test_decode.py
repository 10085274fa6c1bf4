"""Reading numbers as citizens type them."""

from __future__ import annotations

import pytest

from renderer.decode import parse_number


@pytest.mark.parametrize(
    ("typed", "integer", "read"),
    [
        ("1.234,56", False, 1234.56),
        ("12,5", False, 12.5),
        ("1234.56", False, 1234.56),
        ("1 234", True, 1234),
        ("-3", True, -3),
        ("2019.0", True, 2019),
        ("1e3", False, 1000.0),
        # What cannot be read stays as typed, for validation to report.
        ("zwölf", True, "zwölf"),
        ("1e999", False, "1e999"),
        ("-1e999", True, "-1e999"),
        (" 1,2,3 ", False, "1,2,3"),
    ],
)
def test_numbers_are_read_as_typed_in_germany(typed: str, integer: bool, read: object) -> None:
    value = parse_number(typed, integer)
    assert value == read and type(value) is type(read)

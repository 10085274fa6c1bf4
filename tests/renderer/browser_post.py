"""What a browser would post from a rendered form (HTML form submission, no button)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormSerializer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._option: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "input":
            kind = a.get("type", "text")
            if "name" not in a or kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            else:
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._textarea = (a["name"], [])
        elif tag == "select" and "name" in a:
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value", ""), "selected" in a)
            self._select[1].append(self._option)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            # HTML drops one leading newline of a textarea; browsers post CRLF.
            text = text.removeprefix("\n").replace("\n", "\r\n")
            self.pairs.append((self._textarea[0], text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = next(
                (v for v, selected in options if selected), options[0][0] if options else None
            )
            if chosen is not None:
                self.pairs.append((name, chosen))
            self._select = None


def browser_post(html: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser submits for the form controls in ``html``."""
    parser = _FormSerializer()
    parser.feed(html)
    parser.close()
    return parser.pairs

"""A small HTML checker for notebook tables: tags nest and close; cell and caption text
collected (entities decoded), so tests compare what a reader sees."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"br", "hr", "img", "meta", "link", "input"}


class Cells(HTMLParser):
    """Checks that tags nest and close, and collects the text of every cell and caption."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.cells: list[str] = []
        self.caption = ""
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("td", "th", "caption"):
            self._text = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()
        if tag in ("td", "th"):
            self.cells.append("".join(self._text or []))
        elif tag == "caption":
            self.caption = "".join(self._text or [])
        self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def parsed(page: str) -> Cells:
    p = Cells()
    p.feed(page)
    p.close()
    assert p.stack == [], f"unclosed {p.stack}"
    return p

"""Reading a page as a browser does: find its elements by tag, attributes and text, whatever
the order in which Django or a template writes the attributes.

    field = element(page, "input", name="budget")
    assert field["value"] == "12 345,60" and field["inputmode"] == "decimal"
    assert element(page, "option", value="QP062008").selected
    assert not elements(page, "input", inputmode="decimal")

Attribute keywords: a trailing "_" is dropped and "_" reads "-" (`class_`, `aria_current`,
`data_year`); `True` asks only that the attribute be there (`checked=True`); `class_` matches
when the element has each of the given classes, in any order."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that have no end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parts: list[str] = field(default_factory=list, repr=False)
    inner: list["Element"] = field(default_factory=list, repr=False)

    def __getitem__(self, name: str) -> str | None:
        """The attribute's value (None for a boolean attribute such as `checked`); KeyError if absent."""
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def checked(self) -> bool:
        return "checked" in self.attrs

    @property
    def selected(self) -> bool:
        return "selected" in self.attrs

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def elements(self, tag: str, *, text: str | None = None, **attrs) -> list["Element"]:
        """The `tag` elements inside this one, as `elements()` finds them in a page."""
        wanted = {_attribute(keyword): value for keyword, value in attrs.items()}
        return [element for element in self.inner if _matches(element, tag, wanted, text)]

    def element(self, tag: str, *, text: str | None = None, **attrs) -> "Element":
        return _one(self.elements(tag, text=text, **attrs), tag, attrs, text)

    @property
    def content(self) -> str:
        """The text inside the element as written (a <script>'s JSON, a <textarea>'s value)."""
        return "".join(self.parts)

    @property
    def text(self) -> str:
        """The text inside the element, spaces collapsed (non-breaking ones kept)."""
        return re.sub(r"[ \t\n\r\f]+", " ", "".join(self.parts)).strip(" ")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        for parent in self.open:
            parent.inner.append(element)
        self.found.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        for parent in self.open:
            parent.inner.append(element)
        self.found.append(element)

    def handle_endtag(self, tag):
        for position in range(len(self.open) - 1, -1, -1):
            if self.open[position].tag == tag:
                del self.open[position:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)


def _attribute(keyword: str) -> str:
    return keyword.removesuffix("_").replace("_", "-")


def _matches(element: Element, tag: str, attrs: dict, text: str | None) -> bool:
    if element.tag != tag:
        return False
    for name, wanted in attrs.items():
        if name not in element.attrs:
            return False
        if wanted is True:
            continue
        if name == "class":
            if not set(wanted.split()) <= element.classes:
                return False
        elif element.attrs[name] != wanted:
            return False
    return text is None or element.text == text


def elements(html: str | bytes, tag: str, *, text: str | None = None, **attrs) -> list[Element]:
    """Every `tag` element of the page with these attributes (and this text, if given)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    reader = _Reader()
    reader.feed(html)
    reader.close()
    wanted = {_attribute(keyword): value for keyword, value in attrs.items()}
    return [element for element in reader.found if _matches(element, tag, wanted, text)]


def element(html: str | bytes, tag: str, *, text: str | None = None, **attrs) -> Element:
    """The one `tag` element of the page with these attributes; fails unless there is exactly one."""
    return _one(elements(html, tag, text=text, **attrs), tag, attrs, text)


def _one(found: list[Element], tag: str, attrs: dict, text: str | None) -> Element:
    assert len(found) == 1, f"{len(found)} <{tag}> with {attrs}{f' and text {text!r}' if text else ''}"
    return found[0]

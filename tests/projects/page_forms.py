"""What a browser would submit from a page's form: its fields as rendered, read from the HTML,
so that a test changes some of them and posts the rest as they were loaded (the version of the
dossier among them)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.template_depth = 0
        self.fields: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None
        self.option_value: str | None = None
        self.option_selected = False
        self.text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self.select:
            self.option_value = attrs.get("value", "")
            if "selected" in attrs:
                self.add(self.select, self.option_value)
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "template":
            self.template_depth -= 1
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the newline that follows <textarea>.
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea and not self.template_depth:
            self.text.append(data)


def form_fields(html: str, form_id: str = "project-form") -> dict[str, list[str]]:
    """Each field name of the form `form_id` with the values a browser would send."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.fields


def post_data(fields: dict[str, list[str]], **changes: str) -> dict:
    """The fields as POST data, with `changes` (field name → new value) applied."""
    data = {name: values if len(values) != 1 else values[0] for name, values in fields.items() if values}
    data.update(changes)
    return data

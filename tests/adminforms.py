"""Submitting an admin change form the way a browser would: every field as the page shows it."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The successful controls of the form whose id is `form_id`, as (name, value) pairs."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: tuple[str, bool] | None = None  # (name, multiple)
        self.select_options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.option_text = ""
        self.option_selected = False
        self.textarea: str | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select, self.select_options = (name, "multiple" in attrs), []
        elif tag == "option" and self.select:
            self.option_value = attrs.get("value")
            self.option_text, self.option_selected = "", "selected" in attrs
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea_text += data
        elif self.option_value is not None or self.select:
            self.option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self.select:
            value = self.option_value if self.option_value is not None else self.option_text
            self.select_options.append((value.strip(), self.option_selected))
            self.option_value = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and not multiple and self.select_options:
                chosen = [self.select_options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.textarea_text.removeprefix("\n")))
            self.textarea = None


def form_data(html: str | bytes, form_id: str) -> dict[str, str | list[str]]:
    """The data a browser would post from the form `form_id` of `html`, unchanged."""
    parser = _FormFields(form_id)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    data: dict[str, str | list[str]] = {}
    for name, value in parser.fields:
        if "__prefix__" in name:  # the template of an extra inline row, never sent
            continue
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data

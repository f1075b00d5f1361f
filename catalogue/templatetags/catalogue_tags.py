from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def lang_attr(text) -> str:
    """` lang="vi"` when `text` (a LocalizedText) fell back from the page's language."""
    lang = getattr(text, "lang", None)
    if lang and lang != (get_language() or "vi")[:2]:
        return format_html(' lang="{}"', lang)
    return ""

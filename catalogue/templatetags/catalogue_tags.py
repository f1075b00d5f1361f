import unicodedata
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import get_script_prefix, translate_url
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_from_path, get_language_info

from core import text

register = template.Library()


@register.filter
def printable(value) -> str:
    """A visitor's value without control characters, to show it back (see text.printable)."""
    return "" if value is None else text.printable(str(value))


@dataclass
class LanguageVersion:
    code: str
    name: str
    url: str
    absolute_url: str
    is_current: bool
    is_default: bool


@register.filter
def lang_attr(text) -> str:
    """` lang="vi"` when `text` (a LocalizedText) fell back from the page's language."""
    lang = getattr(text, "lang", None)
    if lang and lang != (get_language() or "vi")[:2]:
        return format_html(' lang="{}"', lang)
    return ""


def path_in_language(full_path: str, code: str) -> str:
    """`full_path` (a path_info and its query string) as an address in the language `code`."""
    translated = translate_url(full_path, code)
    if translated != full_path:
        return translated
    # The current language, or an address that resolves to nothing (a 404 page):
    # move the language prefix by hand.
    path, _, query = full_path.partition("?")
    current = get_language_from_path(path)
    if current:
        path = path.removeprefix(f"/{current}")
    if code != settings.LANGUAGE_CODE:
        path = f"/{code}{path}"
    return get_script_prefix() + path.removeprefix("/") + (f"?{query}" if query else "")


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    """This page, with its query string, in each of the site's languages."""
    request = context.get("request")
    if request is None:  # the 500 page is rendered without a request
        return []
    full_path = request.get_full_path_info()
    versions = []
    for code, _name in settings.LANGUAGES:
        url = path_in_language(full_path, code)
        versions.append(
            LanguageVersion(
                code=code,
                # Django spells "Tiếng Việt" with combining marks; the site's text is NFC.
                name=unicodedata.normalize("NFC", capfirst(get_language_info(code)["name_local"])),
                url=url,
                absolute_url=request.build_absolute_uri(url),
                is_current=code == get_language(),
                is_default=code == settings.LANGUAGE_CODE,
            )
        )
    return versions


@register.simple_tag
def lang_vi() -> str:
    """` lang="vi"` on a page in another language, for Vietnamese text that has no translation."""
    if (get_language() or "vi")[:2] != "vi":
        return format_html(' lang="{}"', "vi")
    return ""

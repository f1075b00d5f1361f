"""Head tags for search engines and link previews: canonical URL, Open Graph, JSON-LD."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .. import structured_data

register = template.Library()

OG_LOCALES = {"vi": "vi_VN", "en": "en_US", "fr": "fr_FR"}

# As django.utils.html.json_script: the data can never close the <script> element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page at SITE_URL, without its query string.

    A listing's later page keeps `?page=N`; a filtered or searched listing points to the
    unfiltered one, so search engines index each list once.
    """
    request = context.get("request")
    if request is None:
        return ""
    url = settings.SITE_URL.rstrip("/") + request.path
    page = request.GET.get("page", "")
    # ASCII digits only, and short: int() also reads "４" and refuses 4,301 digits.
    is_number = page.isascii() and page.isdigit() and len(page) < 10
    if is_number and int(page) > 1 and set(request.GET) == {"page"}:
        url += f"?page={int(page)}"
    return url


@register.filter
def absolute(url: str) -> str:
    return structured_data.absolute(str(url))


@register.simple_tag
def og_locale() -> str:
    return OG_LOCALES.get((get_language() or "vi")[:2], "vi_VN")


@register.simple_tag
def og_locale_alternates() -> list[str]:
    current = og_locale()
    return [locale for locale in OG_LOCALES.values() if locale != current]


@register.simple_tag
def json_ld(*objects) -> str:
    """Each dict as a <script type="application/ld+json"> data block."""
    blocks = [
        format_html(
            '<script type="application/ld+json">{}</script>',
            mark_safe(
                json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
            ),
        )
        for data in objects
    ]
    return mark_safe("\n".join(blocks))


@register.simple_tag
def product_json_ld(product) -> str:
    return json_ld(structured_data.product(product), structured_data.product_breadcrumbs(product))


@register.simple_tag
def producer_json_ld(producer) -> str:
    return json_ld(
        structured_data.organization(producer), structured_data.producer_breadcrumbs(producer)
    )


@register.simple_tag
def commune_json_ld(commune) -> str:
    return json_ld(structured_data.commune_breadcrumbs(commune))


@register.simple_tag
def category_json_ld(category) -> str:
    return json_ld(structured_data.category_breadcrumbs(category))

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import STATUS_LABELS, Certificate
from ..verification import Verdict

register = template.Library()

LEVELS = {
    Certificate.IssuerLevel.CENTRAL: gettext_lazy("by the ministry (national level)"),
    Certificate.IssuerLevel.PROVINCE: gettext_lazy("by the province"),
    Certificate.IssuerLevel.DISTRICT: gettext_lazy("by the district"),
}


@register.simple_tag
def product_verdict(product) -> Verdict:
    """What the register says of a product today, from its prefetched ratings."""
    return Verdict.for_product(product)


@register.filter
def rating_state_label(state: str) -> str:
    return STATUS_LABELS.get(state, "")


def day(date) -> str:
    return formats.date_format(date, "SHORT_DATE_FORMAT")


@register.simple_tag
def validity(rating: Certificate) -> str:
    """Until when the record shows the rating valid, at the precision its date allows."""
    if rating.starts_on is None:
        return format_html('<span class="muted">{}</span>', _("Not on record: no date"))
    if rating.valid_until and rating.evidence != Certificate.Evidence.LATER_REPORT:
        return format_html('{} <span class="muted">({})</span>', day(rating.ends_on), _("stated"))
    if rating.ends_on == rating.ends_by:
        text = day(rating.ends_on)
    else:
        text = _("between %(earliest)s and %(latest)s") % {
            "earliest": day(rating.ends_on),
            "latest": day(rating.ends_by),
        }
    return format_html('{} <span class="muted">({})</span>', text, _("36 months from its date"))


@register.simple_tag
def rating_sentence(product) -> str:
    """The product's rating in words: its latest level on record and what the record shows."""
    rating = product.current_certificate
    state = getattr(product, "rating_state", "")
    if rating is None or not state:
        return _("No OCOP rating of this product is on record.")
    level = _("%(stars)s★") % {"stars": rating.stars} if rating.stars else _("OCOP")
    rated = _("Rated %(level)s") % {"level": level}
    if rating.issuer_level in LEVELS:
        rated += " " + LEVELS[rating.issuer_level]
    when = rating.when
    if when and rating.evidence != Certificate.Evidence.LATER_REPORT:
        on_or_in = _("on %(when)s") if when.precision == "day" else _("in %(when)s")
        rated += " " + on_or_in % {"when": when}
    if state == "in_force":
        return _("%(rated)s; in force until %(end)s.") % {
            "rated": rated,
            "end": day(rating.ends_on),
        }
    if state == "reported":
        return _(
            "%(rated)s; a report of %(reported)s says the product still holds this level, "
            "but the renewal's decision is not on record."
        ) % {"rated": _("Rated %(level)s") % {"level": level}, "reported": rating.reported}
    if state == "may_have_expired":
        return _(
            "%(rated)s; its validity ends between %(earliest)s and %(latest)s (its date is "
            "known only to the %(precision)s): it may have expired. No renewal on record."
        ) % {
            "rated": rated,
            "earliest": day(rating.ends_on),
            "latest": day(rating.ends_by),
            "precision": rating.when.precision_label,
        }
    if state == "expired":
        exact = rating.ends_on == rating.ends_by
        end = day(rating.ends_by) if exact else str(rating.ends_by.year)
        message = (
            _("%(rated)s; no renewal on record since %(end)s.")
            if exact
            else _("%(rated)s; no renewal on record since about %(end)s.")
        )
        return message % {"rated": rated, "end": end}
    return _(
        "%(rated)s; the dates of this rating are not on record, so whether it is still in "
        "force is unknown."
    ) % {"rated": rated}

"""The events list's filters, and the admin's step that adds many entrants at once."""

import csv
import io

from django import forms
from django.apps import apps
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalogue import caching
from catalogue.models import PUBLIC_CODE_PATTERN, Product, public_code
from core.text import fold

from .models import Entrant, Event

MAX_CODES = 5000
MAX_CSV_BYTES = 512 * 1024


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Event.Kind.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)

    def filter(self, events):
        """`events` with the valid filters applied; a refused value filters nothing."""
        self.is_valid()
        data = self.cleaned_data  # the values valid on their own, when another is refused
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("year"):
            year = data["year"]
            events = events.filter(first_day__year__lte=year, last_day__year__gte=year)
        return events


def canonical_code(text: str) -> str:
    """TN-OCOP-0001 for 'tn-ocop-1', 'TN OCOP 0001'; '' for anything else."""
    match = PUBLIC_CODE_PATTERN.match(fold(text).upper().replace(" ", ""))
    return public_code(int(match[1])) if match else ""


def codes_in(upload) -> list[str]:
    """The product codes of an uploaded CSV: the first cell of each row, headings skipped."""
    if upload.size > MAX_CSV_BYTES:
        raise ValidationError(_("The file is larger than 512 KB."))
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not a UTF-8 CSV file.")) from None
    codes = []
    try:
        for row in csv.reader(io.StringIO(text)):
            cell = row[0].strip() if row else ""
            if cell and cell.lower() not in ("code", "public_code", "mã", "ma"):
                codes.append(cell[:50])
    except csv.Error:
        raise ValidationError(_("The file is not a UTF-8 CSV file.")) from None
    if len(codes) > MAX_CODES:
        raise ValidationError(_("The file holds more than 5,000 codes."))
    return codes


class AddEntrantsForm(forms.Form):
    """Products chosen in the list, and/or a CSV of their public codes: all or nothing."""

    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.all(),
        required=False,
        help_text=_("Type to search; choose as many as you like."),
    )
    codes = forms.FileField(
        label=_("CSV of product codes"),
        required=False,
        help_text=_(
            "One public code a line (TN-OCOP-0001), in the first column; a heading row is allowed."
        ),
    )

    def __init__(self, *args, event: Event, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if admin_site is not None:
            field = Entrant._meta.get_field("product")
            widget = AutocompleteSelectMultiple(field, admin_site)
            widget.choices = self.fields["products"].choices
            self.fields["products"].widget = widget

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("products") or [])
        upload = cleaned.get("codes")
        if upload:
            try:
                codes = codes_in(upload)
            except ValidationError as error:
                self.add_error("codes", error)
                return cleaned
            wanted = {code: canonical_code(code) for code in codes}
            found = {
                product.public_code: product
                for product in Product.objects.filter(public_code__in=set(wanted.values()))
            }
            unknown = [code for code, canonical in wanted.items() if canonical not in found]
            if unknown:
                shown = ", ".join(unknown[:50]) + (" …" if len(unknown) > 50 else "")
                self.add_error(
                    "codes",
                    ngettext(
                        "Nothing was added: %(count)d code is not a product's: %(codes)s",
                        "Nothing was added: %(count)d codes are not products': %(codes)s",
                        len(unknown),
                    )
                    % {"count": len(unknown), "codes": shown},
                )
                return cleaned
            if not codes:
                self.add_error("codes", _("The file holds no product code."))
                return cleaned
            chosen += [found[wanted[code]] for code in codes]
        if not chosen and not self.errors:
            raise ValidationError(_("Choose products, or upload a CSV of their codes."))
        cleaned["chosen"] = list({product.pk: product for product in chosen}.values())
        return cleaned

    def save(self) -> tuple[int, int]:
        """Add the chosen products (in one transaction); (added, already entrants)."""
        chosen = self.cleaned_data["chosen"]
        entrant_model = apps.get_model("events", "Entrant")
        already = set(
            self.event.entrants.filter(product__in=chosen).values_list("product_id", flat=True)
        )
        new = [
            entrant_model(event=self.event, product=product, producer_id=product.producer_id)
            for product in chosen
            if product.pk not in already
        ]
        entrant_model.objects.bulk_create(new)
        caching.bump_version()  # bulk_create sends no post_save
        return len(new), len(already)

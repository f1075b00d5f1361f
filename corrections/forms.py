"""The public correction form: what is wrong, an optional source and email, and a honeypot."""

import re

from django import forms
from django.core.validators import slug_re
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from core.text import printable

from .models import MAX_MESSAGE_LENGTH, WEB_ADDRESS, CorrectionReport

# The start of an HTML tag or comment (<script, </a, <!--): "giá < 100.000" and "<3" pass.
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?]", re.IGNORECASE)


def reported_product(slug: str) -> Product | None:
    """The published product with this address, or None for anything else (never an error)."""
    if not slug or len(slug) > 100 or not slug_re.fullmatch(slug):
        return None
    try:
        return Product.objects.published().select_related("producer").get(slug=slug)
    except Product.DoesNotExist:
        return None


def plain_text(value: str) -> str:
    if _MARKUP.search(value):
        raise forms.ValidationError(
            _("Please write plain text, without HTML tags or scripts."), code="markup"
        )
    return value


class WebAddressField(forms.URLField):
    default_validators = [WEB_ADDRESS]  # http and https only: no javascript:, data: or ftp:


class CorrectionReportForm(forms.ModelForm):
    # The product's address, from ?product=<slug>, kept through the POST.
    product = forms.CharField(required=False, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What is wrong?"),
        help_text=_(
            "For example a wrong name, star rating, address or phone number, or an OCOP "
            "product that is missing. Plain text, up to 2,000 characters."
        ),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Please tell us what is wrong."),
            "max_length": _(
                "Please shorten your message to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    source_url = WebAddressField(
        label=_("Source address (optional)"),
        help_text=_("A web page that shows the right information, e.g. an official decision."),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address starting with http:// or https://.")},
    )
    email = forms.EmailField(
        label=_("Your email (optional)"),
        help_text=_("Only if you would like an answer. It is never shown on this site."),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter a valid email address, or leave it empty.")},
    )
    # The honeypot: hidden from people by the stylesheet and from screen readers by
    # aria-hidden; robots that fill every field fill it.
    subject = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    class Meta:
        model = CorrectionReport
        fields = ["product_name", "message", "source_url", "email"]
        labels = {"product_name": _("Product name")}
        help_texts = {
            "product_name": _(
                "Which product is it about? For a missing product: its name and producer."
            )
        }

    def __init__(self, *args, product_slug: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # One value per field, without control or invisible characters: what is checked,
            # stored and shown again on a refused form is what the visitor could see.
            self.data = {name: printable(self.data.get(name) or "") for name in self.fields}
        slug = self.data.get("product", "") if self.is_bound else product_slug
        self.reported_product = reported_product(slug)
        self.initial["product"] = self.reported_product.slug if self.reported_product else ""
        self.fields["subject"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["source_url"].widget.attrs["inputmode"] = "url"

    def clean_product(self):
        return self.reported_product.slug if self.reported_product else ""

    def clean_product_name(self):
        return plain_text(self.cleaned_data["product_name"])

    def clean_message(self):
        return plain_text(self.cleaned_data["message"])

    def clean(self):
        if self.cleaned_data.get("subject"):
            raise forms.ValidationError(
                _(
                    "Your report was not sent: it looked automated. "
                    "Please check it and send it again."
                ),
                code="honeypot",
            )
        return super().clean()

    def save(self, commit=True, *, client_hash: str = ""):
        report = super().save(commit=False)
        report.product = self.reported_product
        if self.reported_product and not report.product_name:
            report.product_name = self.reported_product.name
        report.client_hash = client_hash
        if commit:
            report.save()
        return report

"""The enquiry form of a product page: who asks, what for, and a honeypot."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import printable

from .models import MAX_MESSAGE_LENGTH, Enquiry

# The start of an HTML tag or comment (<script, </a, <!--): "< 100 kg" passes.
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?]", re.IGNORECASE)
TOO_LONG = _("Please shorten this to %(limit_value)d characters (it has %(show_value)d).")


def plain_text(value: str) -> str:
    if _MARKUP.search(value):
        raise forms.ValidationError(
            _("Please write plain text, without HTML tags or scripts."), code="markup"
        )
    return value


class EnquiryForm(forms.ModelForm):
    # The honeypot: hidden from people by the stylesheet and from screen readers by
    # aria-hidden; robots that fill every field fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    class Meta:
        model = Enquiry
        fields = ["name", "organisation", "country", "email", "quantity", "message"]
        labels = {
            "name": _("Your name"),
            "organisation": _("Organisation (optional)"),
            "country": _("Country (optional)"),
            "email": _("Your email"),
            "quantity": _("Quantity wanted (optional)"),
            "message": _("Your message"),
        }
        help_texts = {
            "email": _("The producer answers you at this address. It is never shown on this site."),
            "quantity": _("For example “200 boxes a month” or “one container”."),
            "message": _("Plain text, up to 2,000 characters."),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # One value per field, without control or invisible characters.
            self.data = {name: printable(self.data.get(name) or "") for name in self.fields}
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                field.error_messages["max_length"] = TOO_LONG
        self.fields["message"].max_length = MAX_MESSAGE_LENGTH
        self.fields["message"].error_messages["required"] = _("Please write your message.")
        self.fields["name"].error_messages["required"] = _("Please give your name.")
        self.fields["email"].error_messages.update(
            {
                "required": _("Please give your email, so the producer can answer."),
                "invalid": _("Enter a valid email address."),
            }
        )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["country"].widget.attrs["autocomplete"] = "country-name"

    def clean(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "Your message was not sent: it looked automated. "
                    "Please check it and send it again."
                ),
                code="honeypot",
            )
        for name in ["name", "organisation", "country", "quantity", "message"]:
            if self.cleaned_data.get(name):
                try:
                    plain_text(self.cleaned_data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return super().clean()

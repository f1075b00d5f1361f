from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalogue import images
from catalogue.models import Producer, Product
from core.forms import BoundedUsernameMixin
from core.text import printable
from trade.models import SalesChannel

from .models import (
    PLACE_FIELDS,
    PRODUCER_FIELDS,
    PRODUCT_FIELDS,
    SALES_CHANNEL,
    SALES_CHANNEL_FIELDS,
    Invitation,
    current_value,
)


class PortalLoginForm(BoundedUsernameMixin, AuthenticationForm):
    """Django's sign-in form (through django-axes), for producer accounts only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "no_access": _("This account has no access to a producer's portal."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if self.is_bound:  # what is shown again is what the person could see (core.text)
            self.data = self.data.copy()
            self.data["username"] = printable(self.data.get("username") or "")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_staff or not Invitation.objects.active().filter(user=user).exists():
            raise ValidationError(self.error_messages["no_access"], code="no_access")


def as_stored(value):
    """A cleaned value as a proposal stores it (JSON): None, a number, a boolean or text."""
    return value if value is None or isinstance(value, int) else str(value)


class ProposalForm(forms.ModelForm):
    """Proposes changes to the fields in Meta.fields (and `extra_keys`), and to nothing else.

    A field the form does not offer (stars, category, commune, published, codes...) sent
    anyway refuses the whole proposal. Saving stores a proposal, never the object.
    """

    ignored_keys = {"csrfmiddlewaretoken"}
    # Proposal keys outside the model ("place.visit") -> the form field that edits them.
    extra_keys: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = set()
        if self.is_bound:
            offered = set(self.fields) | self.ignored_keys
            self.refused = (set(self.data) | set(self.files)) - offered
            # One value per field, without control or invisible characters: what is checked,
            # stored and shown again on a refused form is what the person could see.
            self.data = {
                name: printable(self.data.get(name) or "")
                for name in self.fields
                if name in self.data
            }
        # The values the proposal replaces, before validation copies the form's onto the object.
        self.current = {key: current_value(self.instance, key) for key in self.keys()}
        for key, name in self.extra_keys.items():
            self.fields[name].initial = self.current[key]

    def keys(self) -> list[str]:
        return [*self._meta.fields, *self.extra_keys]

    def clean(self):
        cleaned = super().clean()
        refused = sorted(printable(name)[:60] for name in self.refused)
        if refused:
            raise ValidationError(
                _("These fields cannot be changed here: %(fields)s. Nothing was proposed."),
                params={"fields": ", ".join(refused)},
                code="refused_fields",
            )
        if not self.errors and not self.changes() and not self.has_photo():
            raise ValidationError(_("Nothing was changed."), code="unchanged")
        return cleaned

    def has_photo(self) -> bool:
        return False

    def changes(self) -> dict:
        """{key: {"old": value it replaces, "new": proposed value}}, changed keys only."""
        changes = {}
        for key in self.keys():
            name = self.extra_keys.get(key, key)
            if name not in self.cleaned_data:
                continue
            new = as_stored(self.cleaned_data[name])
            if new != self.current[key]:
                changes[key] = {"old": self.current[key], "new": new}
        return changes


class ProducerProposalForm(ProposalForm):
    website = forms.URLField(
        label=Producer._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
    )
    place_welcomes_visitors = forms.BooleanField(
        label=_("We welcome visitors (farm visits, tasting, demonstrations)"), required=False
    )
    place_visit = forms.CharField(
        label=_("What visitors can do"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place_visit_en = forms.CharField(
        label=_("What visitors can do (English)"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place_visit_fr = forms.CharField(
        label=_("What visitors can do (French)"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place_visiting_hours = forms.CharField(
        label=_("Visiting hours"), required=False, max_length=200
    )

    extra_keys = {f"place.{name}": f"place_{name}" for name in PLACE_FIELDS}

    class Meta:
        model = Producer
        fields = PRODUCER_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in PRODUCER_FIELDS[:3]}


class ProductProposalForm(ProposalForm):
    photo = forms.FileField(
        label=_("New photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Shown once staff approve it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("For people who cannot see it, e.g. “a 200 g box of tea”."),
    )
    channel_kind = forms.ChoiceField(
        label=_("New place to buy"),
        required=False,
        choices=[
            ("", _("(none)")),
            *(
                (kind.value, kind.label)
                for kind in SalesChannel.Kind
                if kind != SalesChannel.Kind.POINT_OF_SALE  # staff link the OCOP points
            ),
        ],
    )
    channel_name = forms.CharField(label=_("Shop or store name"), required=False, max_length=200)
    channel_url = forms.URLField(
        label=_("Link"), required=False, max_length=500, assume_scheme="https"
    )
    channel_address = forms.CharField(label=_("Shop address"), required=False, max_length=300)
    channel_opening_hours = forms.CharField(
        label=_("Shop opening hours"), required=False, max_length=200
    )
    channel_phone = forms.CharField(label=_("Shop phone"), required=False, max_length=50)

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 6})
            for name in ["story", "story_en", "story_fr", "ingredients"]
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            images.open_checked(photo)  # the catalogue's checks: type, size, pixels, damage
        return photo

    def clean(self):
        cleaned = super().clean()
        if channel := self.new_channel():
            try:
                SalesChannel(product=self.instance, **channel).full_clean(exclude=["producer"])
            except ValidationError as error:
                for message in error.messages:
                    self.add_error("channel_kind", message)
        return cleaned

    def new_channel(self) -> dict | None:
        if not self.cleaned_data.get("channel_kind"):
            return None
        return {
            name: self.cleaned_data.get(f"channel_{name}") or "" for name in SALES_CHANNEL_FIELDS
        }

    def changes(self) -> dict:
        changes = super().changes()
        if channel := self.new_channel():
            changes[SALES_CHANNEL] = {"old": None, "new": channel}
        return changes

    def has_photo(self) -> bool:
        return bool(self.cleaned_data.get("photo"))


class RejectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalogue import images
from catalogue.models import Producer, Product

from .models import PRODUCER_FIELDS, PRODUCT_FIELDS, Invitation, field_value


class PortalLoginForm(AuthenticationForm):
    """Django's sign-in form (through django-axes), for producer accounts only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "no_access": _("This account has no access to a producer's portal."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_staff or not Invitation.objects.active().filter(user=user).exists():
            raise ValidationError(self.error_messages["no_access"], code="no_access")


class ProposalForm(forms.ModelForm):
    """Proposes changes to the fields in Meta.fields, and to nothing else.

    A field the form does not offer (stars, category, commune, published, codes...) sent
    anyway refuses the whole proposal. Saving stores a proposal, never the object.
    """

    ignored_keys = {"csrfmiddlewaretoken"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The values the proposal replaces, before validation copies the form's onto the object.
        self.current = {name: field_value(self.instance, name) for name in self._meta.fields}

    def clean(self):
        cleaned = super().clean()
        offered = set(self.fields) | self.ignored_keys
        refused = sorted((set(self.data) | set(self.files)) - offered)
        if refused:
            raise ValidationError(
                _("These fields cannot be changed here: %(fields)s. Nothing was proposed."),
                params={"fields": ", ".join(refused)},
                code="refused_fields",
            )
        if not self.changes() and not self.has_photo():
            raise ValidationError(_("Nothing was changed."), code="unchanged")
        return cleaned

    def has_photo(self) -> bool:
        return False

    def changes(self) -> dict:
        """{field: {"old": value it replaces, "new": proposed value}}, changed fields only."""
        changes = {}
        for name in self._meta.fields:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            new = value if value is None or isinstance(value, int) else str(value)
            if new != self.current[name]:
                changes[name] = {"old": self.current[name], "new": new}
        return changes


class ProducerProposalForm(ProposalForm):
    website = forms.URLField(
        label=Producer._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
    )

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

    def has_photo(self) -> bool:
        return bool(self.cleaned_data.get("photo"))


class RejectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))

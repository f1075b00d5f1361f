"""Shared by the catalogue's admin pages and those of the apps that extend them."""

import logging

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import images

NOT_RECORDED = _("(not recorded)")
# Staff paste shop addresses without a scheme; assume https, as Django 6.0 will.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}

logger = logging.getLogger("ocop.media")


def thumbnail(image) -> str:
    if not image:
        return "—"
    return format_html(
        # No style attribute: the Content-Security-Policy blocks inline styles.
        '<img src="{}" alt="" width="48">',
        image.url,
    )


# Concurrent edits: the version of an object is its latest history record.

VERSION_FIELD = "opened_version"


def latest_version(obj):
    """The newest history record of `obj` (django-simple-history), or None."""
    if obj is None or obj.pk is None:
        return None
    history = type(obj).history.filter(**{obj._meta.pk.attname: obj.pk})
    return history.order_by("-history_id").select_related("history_user").first()


def conflict_message(record, change_url: str) -> str:
    """ "Changed by X at T since you opened it", with a link to the current version."""
    if record.history_user is not None:
        who = record.history_user.get_full_name() or record.history_user.get_username()
    elif record.history_change_reason:
        who = record.history_change_reason  # "import register.xlsx", "restore"
    else:
        who = gettext("a command or a script")
    when = formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    return format_html(
        "{} <a href='{}'>{}</a>",
        gettext(
            "This record was changed by %(who)s at %(when)s since you opened it: your changes "
            "were not saved, so as not to undo theirs."
        )
        % {"who": who, "when": when},
        change_url,
        gettext("Open the current version and make your changes again."),
    )


def versioned_form(form_class, change_url: str):
    """`form_class` carrying the version of its object when the page was opened.

    On save, an object changed since then (its latest history record is another)
    is refused with the name of who changed it and when, instead of being overwritten.
    """

    class VersionedForm(form_class):
        opened_version = forms.CharField(required=False, widget=forms.HiddenInput)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            record = latest_version(self.instance)
            self.fields[VERSION_FIELD].initial = record.history_id if record else ""

        def clean(self):
            cleaned = super().clean()
            instance = self.instance
            if instance.pk is None:
                return cleaned
            manager = type(instance)._default_manager
            if transaction.get_connection(manager.db).in_atomic_block:
                # Wait for a save of the same object in progress (PostgreSQL), then compare.
                manager.select_for_update().filter(pk=instance.pk).exists()
            record = latest_version(instance)
            current = str(record.history_id) if record else ""
            if (self.data.get(VERSION_FIELD) or "") != current:
                raise ValidationError(conflict_message(record, change_url), code="edit_conflict")
            return cleaned

    VersionedForm.__name__ = form_class.__name__
    return VersionedForm


class EditConflictAdminMixin:
    """For a ModelAdmin of a model with history: a save never silently undoes another's.

    The change form carries the id of the object's latest history record as it was
    when the page was opened (a hidden field); a save finding another one is refused.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        (name, options), *rest = fieldsets
        if VERSION_FIELD in options["fields"]:
            return fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            opts = self.opts
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
                current_app=self.admin_site.name,
            )
            kwargs["form"] = versioned_form(kwargs.get("form", self.form), url)
        return super().get_form(request, obj, change, **kwargs)


# Media writes: a full disk, a read-only volume or an object store that is down.

MEDIA_UNAVAILABLE = _("Photo storage is unavailable: nothing was saved.")


def media_failure_form(form_class):
    """`form_class` refusing itself with MEDIA_UNAVAILABLE: the form shown again, unsaved."""

    class MediaFailureForm(form_class):
        def clean(self):
            super().clean()
            raise ValidationError(MEDIA_UNAVAILABLE, code="media_unavailable")

    MediaFailureForm.__name__ = form_class.__name__
    return MediaFailureForm


class MediaWriteAdminMixin:
    """For a ModelAdmin whose saves write photos or logos to media storage.

    When storage refuses a write, the whole save is rolled back (the admin's
    transaction), every file this save wrote is deleted, the failure is logged,
    and the form comes back with MEDIA_UNAVAILABLE instead of a server error.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with images.written_files_removed_on_error():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except images.MediaWriteError:
            logger.exception(
                "Media storage refused a write; %s %s not saved.",
                self.opts.label,
                object_id or "(new)",
            )
        request.media_write_failed = True
        for upload in request.FILES.values():
            upload.seek(0)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        if getattr(request, "media_write_failed", False):
            return media_failure_form(form_class)
        return form_class

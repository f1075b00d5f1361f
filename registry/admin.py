"""The import of the register from a spreadsheet, and its export, on the admin's product page."""

import contextlib
import datetime
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Producer, Product
from certification import admin as certification_admin
from certification.models import Certificate
from core.spreadsheets import write_csv, xlsx_bytes
from editors.roles import editable_commune_ids

from . import exporting
from .importing import ImportFileError, import_file

admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(certification_admin.ProductAdmin):
    """The product page, with the register's import (upload, preview, confirm) and export."""

    actions = [*certification_admin.ProductAdmin.actions, "export_xlsx", "export_csv"]

    @admin.action(description=_("Export the selected products to Excel (.xlsx)"))
    def export_xlsx(self, request, queryset):
        content = xlsx_bytes(exporting.headers(), exporting.register_rows(queryset))
        return attachment(content, "ocop-register.xlsx", XLSX_TYPE)

    @admin.action(description=_("Export the selected products to CSV"))
    def export_csv(self, request, queryset):
        response = attachment("", "ocop-register.csv", "text/csv; charset=utf-8")
        write_csv(response, exporting.headers(), exporting.register_rows(queryset))
        return response

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalogue_product_import"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        communes = editable_commune_ids(request.user)
        form, result = ImportForm(), None
        if request.method == "POST" and "token" in request.POST:
            upload = PendingUpload.from_session(request)
            if upload is None:
                messages.error(request, gettext("The uploaded file has expired: upload it again."))
                return redirect("admin:catalogue_product_import")
            skip_invalid = request.POST.get("skip_invalid") == "1"
            with upload.local_path() as path:
                result = import_file(
                    path,
                    skip_invalid=skip_invalid,
                    communes=communes,
                    user=request.user,
                    file_name=upload.name,
                )
            if result.written:
                upload.discard(request)
                messages.success(request, import_message(result))
                return redirect("admin:catalogue_product_changelist")
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = PendingUpload.save(request, form.cleaned_data["file"])
                try:
                    with upload.local_path() as path:
                        result = import_file(path, dry_run=True, communes=communes)
                except ImportFileError as error:
                    upload.discard(request)
                    form.add_error("file", str(error))
        upload = PendingUpload.from_session(request) if result else None
        changes = result.changes[:PREVIEW_CHANGES] if result else []
        action_labels = {"created": gettext("new"), "updated": gettext("changed")}
        for change in changes:
            change.action_label = action_labels[change.action]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a spreadsheet"),
            "form": form,
            "result": result,
            "token": upload.token if upload else "",
            "file_name": upload.name if upload else "",
            "counts": import_counts(result) if result else [],
            "changes": changes,
            "more_changes": len(result.changes) - len(changes) if result else 0,
        }
        return TemplateResponse(request, "admin/catalogue/product/import.html", context)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSIONS = [
    "catalogue.add_producer",
    "catalogue.change_producer",
    "catalogue.add_product",
    "catalogue.change_product",
    "certification.add_certificate",
    "certification.change_certificate",
]
PREVIEW_CHANGES = 500


def attachment(content, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def import_counts(result) -> list[tuple]:
    counts = result.counts()
    return [
        (model._meta.verbose_name_plural, *(counts[name][action] for action in ACTIONS))
        for name, model in [
            ("producer", Producer),
            ("product", Product),
            ("certificate", Certificate),
        ]
    ]


ACTIONS = ["created", "updated", "unchanged"]


def import_message(result) -> str:
    counts = result.counts()
    created = sum(count["created"] for count in counts.values())
    updated = sum(count["updated"] for count in counts.values())
    message = gettext("Imported: %(created)s records created, %(updated)s updated.") % {
        "created": created,
        "updated": updated,
    }
    if result.errors:
        message += " " + gettext("%(rows)s invalid rows were skipped.") % {
            "rows": result.invalid_rows
        }
    return message


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_("A .xlsx workbook, or a .csv file in UTF-8.")
    )

    MAX_SIZE = 20 * 1024 * 1024  # bytes; the whole register is well under 1 MB

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower() not in {".csv", ".xlsx"}:
            raise forms.ValidationError(_("Use a .csv or .xlsx file."))
        if file.size > self.MAX_SIZE:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return file


class PendingUpload:
    """An uploaded file between its preview and its confirmation.

    It waits in the "imports" storage (settings.STORAGES: a private folder, or a private
    prefix of the media bucket, which every app server reaches) under a random name; the
    session holds the name, so the confirm form sends back only the token, never a path.
    """

    SESSION_KEY = "catalogue_import"
    TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
    MAX_AGE = 24 * 3600  # seconds

    def __init__(self, token: str, suffix: str, name: str):
        self.token, self.suffix, self.name = token, suffix, name
        self.stored_name = f"{token}{suffix}"

    @staticmethod
    def storage():
        return storages["imports"]

    @classmethod
    def save(cls, request, file) -> "PendingUpload":
        cls.remove_stale()
        if previous := cls.from_session(request):
            previous.discard(request)
        upload = cls(secrets.token_urlsafe(24), Path(file.name).suffix.lower(), file.name)
        cls.storage().save(upload.stored_name, file)
        request.session[cls.SESSION_KEY] = {
            "token": upload.token,
            "suffix": upload.suffix,
            "name": upload.name,
        }
        return upload

    @classmethod
    def remove_stale(cls) -> None:
        """Delete the uploads nobody confirmed within MAX_AGE."""
        storage = cls.storage()
        try:
            names = storage.listdir("")[1]
        except FileNotFoundError:  # nothing uploaded yet
            return
        cutoff = timezone.now() - datetime.timedelta(seconds=cls.MAX_AGE)
        for name in names:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)

    @classmethod
    def from_session(cls, request) -> "PendingUpload | None":
        stored = request.session.get(cls.SESSION_KEY)
        token = request.POST.get("token", stored and stored["token"])
        if not stored or not cls.TOKEN.match(token or ""):
            return None
        if not constant_time_compare(token, stored["token"]):
            return None
        if stored["suffix"] not in {".csv", ".xlsx"}:
            return None
        upload = cls(stored["token"], stored["suffix"], stored["name"])
        return upload if cls.storage().exists(upload.stored_name) else None

    @contextlib.contextmanager
    def local_path(self):
        """The file as a local path: itself on local disk, a temporary copy otherwise (S3)."""
        try:
            path = Path(self.storage().path(self.stored_name))
        except NotImplementedError:  # object storage has no local path
            path = None
        if path and path.is_file():
            yield path
            return
        with (
            tempfile.NamedTemporaryFile(suffix=self.suffix) as copy,
            self.storage().open(self.stored_name) as source,
        ):
            shutil.copyfileobj(source, copy)
            copy.flush()
            yield Path(copy.name)

    def discard(self, request) -> None:
        self.storage().delete(self.stored_name)
        request.session.pop(self.SESSION_KEY, None)

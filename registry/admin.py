"""The import of the register from a spreadsheet, and its export, on the admin's product page;
the import jobs that run in the background."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Producer, Product
from certification import admin as certification_admin
from certification.models import Certificate
from core.spreadsheets import write_csv, xlsx_bytes
from editors.roles import editable_commune_ids
from trade.admin import SalesChannelInline
from trade.models import SalesChannel

from . import exporting, tasks, uploads
from .importing import ImportFileError, import_file
from .models import ImportJob
from .uploads import PendingUpload

admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(certification_admin.ProductAdmin):
    """The product page, with the register's import (upload, preview, confirm) and export."""

    actions = [*certification_admin.ProductAdmin.actions, "export_xlsx", "export_csv"]
    inlines = [*certification_admin.ProductAdmin.inlines, SalesChannelInline]

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
        """Upload -> preview (a dry run) -> confirm; the import itself runs as a background job.

        A file of more than IMPORT_PREVIEW_IN_REQUEST_ROWS rows is previewed by a job too,
        so that no request waits on a large file.
        """
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
            job = start_job(request, upload, ImportJob.Kind.IMPORT, communes, skip_invalid)
            return redirect("admin:registry_importjob_change", job.pk)
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = PendingUpload.save(request, form.cleaned_data["file"])
                with upload.local_path() as path:
                    rows = uploads.count_rows(path)
                if rows > settings.IMPORT_PREVIEW_IN_REQUEST_ROWS:
                    job = start_job(request, upload, ImportJob.Kind.PREVIEW, communes)
                    return redirect("admin:registry_importjob_change", job.pk)
                try:
                    with upload.local_path() as path:
                        result = import_file(path, dry_run=True, communes=communes)
                except ImportFileError as error:
                    upload.discard(request)
                    form.add_error("file", str(error))
        upload = PendingUpload.from_session(request) if result else None
        changes = result.changes[:PREVIEW_CHANGES] if result else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a spreadsheet"),
            "form": form,
            "result": result,
            "token": upload.token if upload else "",
            "file_name": upload.name if upload else "",
            "counts": import_counts(result.counts()) if result else [],
            "errors": result.errors if result else [],
            "invalid_rows": result.invalid_rows if result else 0,
            "changes": [labelled(vars(change)) for change in changes],
            "more_changes": len(result.changes) - len(changes) if result else 0,
        }
        return TemplateResponse(request, "admin/catalogue/product/import.html", context)


def start_job(request, upload, kind: str, communes, skip_invalid: bool = False) -> ImportJob:
    """Queue an ImportJob on the uploaded file, which the job now keeps."""
    job = ImportJob.objects.create(
        kind=kind,
        user=request.user,
        file_name=upload.name,
        stored_name=upload.stored_name,
        skip_invalid=skip_invalid,
        communes=sorted(communes) if communes is not None else None,
    )
    upload.hand_over(request)
    tasks.run_import_job.enqueue(job.pk)
    return job


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The imports run in the background: their progress, result and errors; retry."""

    list_display = ["file_name", "kind", "status", "progress", "user", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["user"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False  # jobs start from "Import a spreadsheet" on the product list

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (obj is None or obj.finished)

    @admin.display(description=_("progress"))
    def progress(self, job):
        if job.rows_total is None:
            return "—"
        return f"{job.rows_done:n} / {job.rows_total:n}"

    def changelist_view(self, request, extra_context=None):
        ImportJob.objects.fail_lost()
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/retry/", view(self.retry_view), name="registry_importjob_retry"),
            path(
                "<int:job_id>/confirm/",
                view(self.confirm_view),
                name="registry_importjob_confirm",
            ),
            *super().get_urls(),
        ]

    def get_job(self, request, job_id) -> ImportJob:
        job = self.get_queryset(request).filter(pk=job_id).first()
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: progress while it runs (the page reloads itself), then its result."""
        ImportJob.objects.fail_lost()
        if not str(object_id).isdigit():
            raise Http404
        job = self.get_job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "refresh_seconds": REFRESH_SECONDS,
            "counts": import_counts(job.counts) if job.counts else [],
            "errors": job.errors,
            "more_errors": job.error_count - len(job.errors),
            "changes": [labelled(change) for change in job.changes],
            "more_changes": job.change_count - len(job.changes),
            "can_confirm": job.status == ImportJob.Status.DONE and not job.written,
        }
        return TemplateResponse(request, "admin/registry/importjob/job.html", context)

    def retry_view(self, request, job_id):
        """Run a failed job again, from the file it kept."""
        job = self.get_job(request, job_id)
        if request.method != "POST" or job.status != ImportJob.Status.FAILED:
            return redirect("admin:registry_importjob_change", job.pk)
        if not uploads.storage().exists(job.stored_name):
            messages.error(request, FILE_GONE)
            return redirect("admin:registry_importjob_change", job.pk)
        retried = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
            status=ImportJob.Status.QUEUED, message="", finished_at=None, heartbeat=None
        )
        if retried:
            tasks.run_import_job.enqueue(job.pk)
        return redirect("admin:registry_importjob_change", job.pk)

    def confirm_view(self, request, job_id):
        """Import the file of a finished preview (or of an import refused for its bad rows)."""
        job = self.get_job(request, job_id)
        allowed = job.status == ImportJob.Status.DONE and not job.written
        if request.method != "POST" or not allowed:
            return redirect("admin:registry_importjob_change", job.pk)
        started = ImportJob.objects.filter(kind=ImportJob.Kind.IMPORT, stored_name=job.stored_name)
        if started := started.exclude(status=ImportJob.Status.DONE, written=False).first():
            return redirect("admin:registry_importjob_change", started.pk)  # confirmed twice
        if not uploads.storage().exists(job.stored_name):
            messages.error(request, FILE_GONE)
            return redirect("admin:registry_importjob_change", job.pk)
        communes = editable_commune_ids(request.user)
        new = ImportJob.objects.create(
            kind=ImportJob.Kind.IMPORT,
            user=request.user,
            file_name=job.file_name,
            stored_name=job.stored_name,
            skip_invalid=request.POST.get("skip_invalid") == "1",
            communes=sorted(communes) if communes is not None else None,
        )
        tasks.run_import_job.enqueue(new.pk)
        return redirect("admin:registry_importjob_change", new.pk)


REFRESH_SECONDS = 2  # how often a running job's page reloads itself
FILE_GONE = _("The uploaded file is no longer kept: upload it again.")


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


def import_counts(counts: dict) -> list[tuple]:
    """Per model, its name and how many were created, updated and left unchanged."""
    return [
        (
            model._meta.verbose_name_plural,
            *(counts.get(name, {}).get(action, 0) for action in ACTIONS),
        )
        for name, model in [
            ("producer", Producer),
            ("product", Product),
            ("certificate", Certificate),
            ("saleschannel", SalesChannel),
        ]
    ]


def labelled(change: dict) -> dict:
    """A change of the preview, with its action in words."""
    labels = {"created": gettext("new"), "updated": gettext("changed")}
    return {**change, "action_label": labels.get(change["action"], change["action"])}


ACTIONS = ["created", "updated", "unchanged"]


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

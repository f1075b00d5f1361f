import contextlib
import datetime
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

from certification.admin import CertificateInline
from certification.models import Certificate

from . import caching, exporting, history, search
from .importing import ImportFileError, import_file
from .models import (
    Category,
    Commune,
    CommuneAlias,
    CommuneEditor,
    Producer,
    Product,
    ProductImage,
    ProductLink,
    QualityMark,
)
from .roles import CommuneScopedAdminMixin, editable_commune_ids

NOT_RECORDED = _("(not recorded)")
# Staff paste shop addresses without a scheme; assume https, as Django 6.0 will.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def thumbnail(image) -> str:
    if not image:
        return "—"
    return format_html(
        # No style attribute: the Content-Security-Policy blocks inline styles.
        '<img src="{}" alt="" width="48">',
        image.url,
    )


class CurrentStarsFilter(admin.SimpleListFilter):
    title = _("current stars")
    parameter_name = "current_stars"

    def lookups(self, request, model_admin):
        return [*reversed(Certificate.Stars.choices), ("none", _("no certificate in force"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(current_stars__isnull=True)
        if self.value() in {str(stars) for stars in Certificate.Stars.values}:
            return queryset.filter(current_stars=self.value())
        return queryset


class CertificateStatusFilter(admin.SimpleListFilter):
    title = _("certificate")
    parameter_name = "certificate"

    def lookups(self, request, model_admin):
        return [
            ("in_force", _("in force")),
            ("lapsed", _("expired or revoked")),
            ("never", _("never certified")),
        ]

    def queryset(self, request, queryset):
        ever_certified = Certificate.objects.values("product")
        match self.value():
            case "in_force":
                return queryset.filter(current_stars__isnull=False)
            case "lapsed":
                return queryset.filter(current_stars__isnull=True, pk__in=ever_certified)
            case "never":
                return queryset.exclude(pk__in=ever_certified)
        return queryset


class CommuneAliasInline(admin.TabularInline):
    model = CommuneAlias
    fields = ["name", "former_kind", "former_district", "former_province"]
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "product_count"]
    list_filter = ["kind"]
    ordering = ["name"]  # the product count's GROUP BY drops the model's ordering
    search_fields = ["name", "slug", "aliases__name"]
    inlines = [CommuneAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = search.accent_free_admin_search(
            super(), request, queryset, search_term, Commune.objects.search(search_term)
        )
        # Commune editors may view every commune, but choose only among their own.
        communes = editable_commune_ids(request.user)
        match = request.resolver_match
        if communes is not None and match and match.url_name == "autocomplete":
            queryset = queryset.filter(pk__in=communes)
        return queryset, may_have_duplicates

    @admin.display(description=_("published products"), ordering="product_count")
    def product_count(self, commune):
        return commune.product_count


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "name_fr", "level", "parent", "position", "is_service"]
    list_filter = ["level", "is_service"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_en", "name_fr", "slug"]
    autocomplete_fields = ["parent"]


class ProductInline(admin.TabularInline):
    model = Product
    fields = ["name", "category", "is_published"]
    autocomplete_fields = ["category"]
    show_change_link = True
    extra = 0


@admin.register(Producer)
class ProducerAdmin(CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "commune"
    list_display = ["logo_thumbnail", "name", "kind", "commune", "phone", "product_count"]
    list_display_links = ["logo_thumbnail", "name"]
    list_filter = ["kind", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    ordering = ["name"]  # the product count's GROUP BY drops the model's ordering
    search_fields = ["name", "representative", "address", "former_address", "phone"]
    autocomplete_fields = ["commune"]
    empty_value_display = NOT_RECORDED
    formfield_overrides = HTTPS_URLS
    inlines = [ProductInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

    def get_search_results(self, request, queryset, search_term):
        # Accent-free through the producers' products: "htx che hao dat", "dong hy".
        matching = Producer.objects.filter(products__in=Product.objects.search(search_term))
        return search.accent_free_admin_search(super(), request, queryset, search_term, matching)

    @admin.display(description=_("logo"))
    def logo_thumbnail(self, producer):
        return thumbnail(producer.logo)

    @admin.display(description=_("published products"), ordering="product_count")
    def product_count(self, producer):
        return producer.product_count


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ["preview", "image", "alt_text", "position"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, product_image):
        return thumbnail(product_image.image)


class ProductLinkInline(admin.TabularInline):
    model = ProductLink
    fields = ["label", "url", "position"]
    formfield_overrides = HTTPS_URLS
    extra = 0


@admin.register(Product)
class ProductAdmin(CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "producer__commune"
    list_display = [
        "cover",
        "name",
        "producer",
        "commune",
        "category",
        "current_stars",
        "is_published",
    ]
    list_display_links = ["cover", "name"]
    list_filter = [
        ("producer__commune", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
        CurrentStarsFilter,
        "is_published",
        CertificateStatusFilter,
    ]
    list_select_related = ["producer__commune", "category"]
    search_fields = ["search_text", "public_code"]
    autocomplete_fields = ["producer", "category"]
    readonly_fields = ["public_code", "created_at", "updated_at", "certificate_timeline"]
    empty_value_display = NOT_RECORDED
    actions = ["publish", "unpublish", "export_xlsx", "export_csv"]
    inlines = [ProductImageInline, ProductLinkInline, CertificateInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "producer",
                    ("name", "name_en", "name_fr"),
                    "slug",
                    "category",
                    "public_code",
                ]
            },
        ),
        (_("Certificate history"), {"fields": ["certificate_timeline"]}),
        (
            _("Content"),
            {
                "description": _(
                    "English and French are optional: where they are empty, "
                    "visitors see the Vietnamese text."
                ),
                "fields": [
                    ("summary", "summary_en", "summary_fr"),
                    ("story", "story_en", "story_fr"),
                    "ingredients",
                ],
            },
        ),
        (_("Pack details"), {"fields": ["net_weight", "packaging", "shelf_life", "price_vnd"]}),
        (
            _("Visiting information"),
            {
                "description": _("For tourism services only."),
                "fields": ["visiting_address", "opening_hours", "visiting_contact"],
            },
        ),
        (_("Publishing"), {"fields": ["is_published", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        images = ProductImage.objects.order_by("position", "pk")
        return (
            super()
            .get_queryset(request)
            .with_current_stars()
            .prefetch_related(Prefetch("images", queryset=images))
        )

    def get_search_results(self, request, queryset, search_term):
        # Accent-free, like the public search: "che tan cuong" finds "Chè Tân Cương".
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    @admin.display(description=_("image"))
    def cover(self, product):
        cover = product.cover_image
        return thumbnail(cover.image if cover else None)

    @admin.display(description=_("commune"), ordering="producer__commune__name")
    def commune(self, product):
        return product.producer.commune

    @admin.display(
        description=_("current stars"), ordering="current_stars", empty_value=_("not certified")
    )
    def current_stars(self, product):
        return product.current_stars and Certificate.Stars(product.current_stars).label

    @admin.action(description=_("Publish the selected products"))
    def publish(self, request, queryset):
        changed = self.set_published(request, queryset, True)
        message = ngettext("%d product was published.", "%d products were published.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Unpublish the selected products"))
    def unpublish(self, request, queryset):
        changed = self.set_published(request, queryset, False)
        message = ngettext("%d product was unpublished.", "%d products were unpublished.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    def set_published(self, request, queryset, published: bool) -> int:
        """Publish or unpublish in one UPDATE per batch, each product's history recording it."""
        products = list(queryset.filter(is_published=not published).prefetch_related(None))
        now = timezone.now()
        for product in products:
            product.is_published, product.updated_at = published, now
        changed = bulk_update_with_history(
            products, Product, ["is_published", "updated_at"], default_user=request.user
        )
        caching.bump_version()  # a bulk update sends no post_save
        return changed

    @admin.display(description=_("certificates, newest first"))
    def certificate_timeline(self, product):
        certificates = product.certificates.order_by("-decision_date", "-pk") if product.pk else []
        if not certificates:
            return gettext("No certificate yet.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} · {}★ · {} · {} {} · <strong>{}</strong>{}</li>",
                (
                    (
                        formats.date_format(certificate.decision_date, "SHORT_DATE_FORMAT"),
                        certificate.stars,
                        certificate.decision_number,
                        gettext("valid until"),
                        formats.date_format(certificate.valid_until, "SHORT_DATE_FORMAT"),
                        certificate.get_status_display(),
                        f" ({certificate.revocation_reason})" if certificate.revoked_on else "",
                    )
                    for certificate in certificates
                ),
            ),
        )

    @admin.action(description=_("Export the selected products to Excel (.xlsx)"))
    def export_xlsx(self, request, queryset):
        content = exporting.xlsx_bytes(exporting.headers(), exporting.register_rows(queryset))
        return attachment(content, "ocop-register.xlsx", XLSX_TYPE)

    @admin.action(description=_("Export the selected products to CSV"))
    def export_csv(self, request, queryset):
        response = attachment("", "ocop-register.csv", "text/csv; charset=utf-8")
        exporting.write_csv(response, exporting.headers(), exporting.register_rows(queryset))
        return response

    # Import: upload -> preview (a dry run) -> confirm, on one page.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalogue_product_import"),
            path("deleted/", view(self.deleted_view), name="catalogue_product_deleted"),
            path(
                "deleted/<int:history_id>/restore/",
                view(self.restore_view),
                name="catalogue_product_restore",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_import": self.has_import_permission(request),
            "can_restore": self.has_restore_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    object_history_template = "admin/catalogue/product/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            "related_history": history.related_history(object_id) if object_id.isdigit() else [],
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context)

    # Deleted products: their history keeps their last state, to restore them from.

    def has_restore_permission(self, request) -> bool:
        """Adding products is restoring them; commune editors only see their communes'."""
        return self.has_add_permission(request)

    def deleted_view(self, request):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        records = history.deleted_products(editable_commune_ids(request.user)).select_related(
            "producer__commune"
        )
        page = Paginator(records, DELETED_PER_PAGE).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Deleted products"),
            "page": page,
        }
        return TemplateResponse(request, "admin/catalogue/product/deleted.html", context)

    def restore_view(self, request, history_id):
        if not self.has_restore_permission(request):
            raise PermissionDenied
        communes = editable_commune_ids(request.user)
        record = history.deleted_products(communes).filter(history_id=history_id).first()
        if record is None:
            messages.error(
                request, gettext("This product is not deleted, or was restored already.")
            )
            return redirect("admin:catalogue_product_deleted")
        if request.method != "POST":  # GET: the confirmation page, whose form posts here
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Restore a deleted product"),
                "record": record,
                "links": history.deleted_links(record),
            }
            return TemplateResponse(request, "admin/catalogue/product/restore.html", context)
        try:
            product = history.restore_product(record, request.user)
        except history.RestoreError as error:
            messages.error(
                request,
                gettext("“%(name)s” was not restored: %(reason)s")
                % {"name": record.name, "reason": error},
            )
            return redirect("admin:catalogue_product_deleted")
        messages.success(request, gettext("“%(name)s” was restored.") % {"name": product.name})
        return redirect("admin:catalogue_product_change", product.pk)

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


DELETED_PER_PAGE = 50
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


@admin.register(QualityMark)
class QualityMarkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "number", "issuer", "date", "product_count"]
    list_filter = ["kind"]
    search_fields = ["name", "number", "issuer", "decision"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = HTTPS_URLS
    autocomplete_fields = ["products"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug"]}),
        (_("Registration"), {"fields": ["number", "decision", "date", "issuer", "area"]}),
        (_("Source"), {"fields": ["source_url", "note"]}),
        (_("Products"), {"fields": ["products"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=models.Count("products"))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, mark):
        return mark.product_count


class CommuneEditorInline(admin.StackedInline):
    model = CommuneEditor
    autocomplete_fields = ["communes"]
    verbose_name = _("commune editor assignment")
    verbose_name_plural = _("communes this user edits (commune editors only)")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, CommuneEditorInline]

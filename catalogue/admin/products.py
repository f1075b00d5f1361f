from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

from editors.roles import CommuneScopedAdminMixin, editable_commune_ids

from .. import caching, history
from ..models import Product, ProductImage, ProductLink
from .common import (
    HTTPS_URLS,
    NOT_RECORDED,
    EditConflictAdminMixin,
    MediaWriteAdminMixin,
    thumbnail,
)

DELETED_PER_PAGE = 50


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
class ProductAdmin(
    MediaWriteAdminMixin, EditConflictAdminMixin, CommuneScopedAdminMixin, SimpleHistoryAdmin
):
    commune_path = "producer__commune"
    list_display = [
        "cover",
        "name",
        "producer",
        "commune",
        "category",
        "is_published",
    ]
    list_display_links = ["cover", "name"]
    list_filter = [
        ("producer__commune", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
        "is_published",
    ]
    list_select_related = ["producer__commune", "category"]
    search_fields = ["search_text", "public_code"]
    autocomplete_fields = ["producer", "category", "sources"]
    readonly_fields = ["public_code", "created_at", "updated_at"]
    empty_value_display = NOT_RECORDED
    actions = ["publish", "unpublish"]
    inlines = [ProductImageInline, ProductLinkInline]
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
        (_("Sources"), {"fields": ["sources"]}),
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
        return product.commune

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

    # Import: upload -> preview (a dry run) -> confirm, on one page.

    # Deleted products: their history keeps their last state, to restore them from.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
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

    def has_import_permission(self, request) -> bool:
        return False  # the registry app's admin adds the import

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

from django.contrib import admin, messages
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certification.admin import CertificateInline
from certification.models import Certificate

from .models import Category, Commune, CommuneAlias, Producer, Product, ProductImage, ProductLink

NOT_RECORDED = _("(not recorded)")
# Staff paste shop addresses without a scheme; assume https, as Django 6.0 will.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def thumbnail(image) -> str:
    if not image:
        return "—"
    return format_html(
        '<img src="{}" alt="" width="48" height="48" style="object-fit: cover">', image.url
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
    search_fields = ["name", "slug", "aliases__name"]
    inlines = [CommuneAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

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
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["logo_thumbnail", "name", "kind", "commune", "phone", "product_count"]
    list_display_links = ["logo_thumbnail", "name"]
    list_filter = ["kind", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    search_fields = ["name", "representative", "address", "former_address", "phone"]
    autocomplete_fields = ["commune"]
    empty_value_display = NOT_RECORDED
    formfield_overrides = HTTPS_URLS
    inlines = [ProductInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_product_count()

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
class ProductAdmin(admin.ModelAdmin):
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
    search_fields = ["search_text"]
    autocomplete_fields = ["producer", "category"]
    readonly_fields = ["created_at", "updated_at"]
    empty_value_display = NOT_RECORDED
    actions = ["publish", "unpublish"]
    inlines = [ProductImageInline, ProductLinkInline, CertificateInline]
    fieldsets = [
        (None, {"fields": ["producer", ("name", "name_en", "name_fr"), "slug", "category"]}),
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
        changed = queryset.filter(is_published=False).update(
            is_published=True, updated_at=timezone.now()
        )
        message = ngettext("%d product was published.", "%d products were published.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Unpublish the selected products"))
    def unpublish(self, request, queryset):
        changed = queryset.filter(is_published=True).update(
            is_published=False, updated_at=timezone.now()
        )
        message = ngettext("%d product was unpublished.", "%d products were unpublished.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

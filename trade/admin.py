from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalogue.admin import producers as catalogue_producers
from catalogue.admin.common import HTTPS_URLS
from catalogue.models import Producer
from editors.roles import CommuneScopedAdminMixin

from .models import Enquiry, PointOfSale, ProducerPlace, SalesChannel


class SalesChannelInline(admin.TabularInline):
    """Where to buy, on the product's (and the producer's) admin page."""

    model = SalesChannel
    formfield_overrides = HTTPS_URLS
    fk_name = "product"
    fields = [
        "kind",
        "platform",
        "name",
        "url",
        "point_of_sale",
        "address",
        "opening_hours",
        "phone",
        "position",
    ]
    autocomplete_fields = ["point_of_sale"]
    extra = 0


class ProducerSalesChannelInline(SalesChannelInline):
    fk_name = "producer"
    verbose_name_plural = _("where to buy (every product of this producer)")


class PointOfSaleChannelInline(admin.TabularInline):
    """The products a point of sale carries."""

    model = SalesChannel
    fk_name = "point_of_sale"
    fields = ["kind", "product", "producer", "position"]
    autocomplete_fields = ["product", "producer"]
    verbose_name = _("product or producer carried")
    verbose_name_plural = _("products carried (a producer: all its products)")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["kind"].initial = SalesChannel.Kind.POINT_OF_SALE
        return formset


class ProducerPlaceInline(admin.StackedInline):
    model = ProducerPlace
    fields = [
        "welcomes_visitors",
        "visit",
        "visit_en",
        "visit_fr",
        "visiting_hours",
        ("latitude", "longitude"),
    ]
    extra = 0
    max_num = 1


@admin.register(PointOfSale)
class PointOfSaleAdmin(CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "commune"
    list_display = ["name", "kind", "commune", "recognised_year", "has_coordinates"]
    list_filter = ["kind", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    search_fields = ["name", "operator", "address", "former_address"]
    autocomplete_fields = ["commune", "sources"]
    inlines = [PointOfSaleChannelInline]
    fieldsets = [
        (None, {"fields": ["name", "operator", "kind", "kind_detail", "recognised_year"]}),
        (
            _("Where"),
            {
                "fields": [
                    "address",
                    "former_address",
                    "commune",
                    ("latitude", "longitude"),
                    "opening_hours",
                    "phone",
                ]
            },
        ),
        (_("Sources"), {"fields": ["sources", "note"]}),
    ]

    @admin.display(description=_("on the map"), boolean=True)
    def has_coordinates(self, point):
        return point.has_coordinates


admin.site.unregister(Producer)


@admin.register(Producer)
class ProducerAdmin(catalogue_producers.ProducerAdmin):
    """The catalogue's producer page, with where to buy and the producer's place and visits."""

    inlines = [
        *catalogue_producers.ProducerAdmin.inlines,
        ProducerSalesChannelInline,
        ProducerPlaceInline,
    ]


@admin.register(Enquiry)
class EnquiryAdmin(CommuneScopedAdminMixin, admin.ModelAdmin):
    # An enquiry whose product was deleted has no commune: only provincial editors see it.
    commune_path = "product__producer__commune"
    list_display = ["created_at", "name", "organisation", "country", "product_name", "status"]
    list_display_links = ["created_at", "name"]
    list_filter = ["status", "created_at"]
    list_select_related = ["product"]
    search_fields = ["name", "organisation", "email", "message", "product_name"]
    readonly_fields = [
        "product",
        "product_name",
        "name",
        "organisation",
        "country",
        "email",
        "quantity",
        "message",
        "language",
        "emailed_to",
        "email_failed",
        "created_at",
        "client_hash",
    ]
    fieldsets = [
        (None, {"fields": ["product", "product_name", "message", "quantity"]}),
        (_("From"), {"fields": ["name", "organisation", "country", "email", "language"]}),
        (_("Handling"), {"fields": ["status", "emailed_to", "email_failed"]}),
        (_("Received"), {"fields": ["created_at", "client_hash"]}),
    ]
    actions = ["mark_answered", "mark_spam"]

    def has_add_permission(self, request):
        return False  # enquiries come from the public form only

    @admin.display(description=_("message"))
    def excerpt(self, enquiry):
        return Truncator(enquiry.message).chars(80)

    @admin.action(description=_("Mark the selected enquiries answered"), permissions=["change"])
    def mark_answered(self, request, queryset):
        queryset.update(status=Enquiry.Status.ANSWERED)

    @admin.action(description=_("Mark the selected enquiries as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        queryset.update(status=Enquiry.Status.SPAM)

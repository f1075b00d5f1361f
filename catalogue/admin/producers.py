from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import search
from editors.roles import CommuneScopedAdminMixin

from ..models import Producer, Product
from .common import HTTPS_URLS, NOT_RECORDED, MediaWriteAdminMixin, thumbnail


class ProductInline(admin.TabularInline):
    model = Product
    fields = ["name", "category", "is_published"]
    autocomplete_fields = ["category"]
    show_change_link = True
    extra = 0


@admin.register(Producer)
class ProducerAdmin(MediaWriteAdminMixin, CommuneScopedAdminMixin, SimpleHistoryAdmin):
    commune_path = "commune"
    list_display = ["logo_thumbnail", "name", "kind", "commune", "phone", "product_count"]
    list_display_links = ["logo_thumbnail", "name"]
    list_filter = ["kind", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    ordering = ["name"]  # the product count's GROUP BY drops the model's ordering
    search_fields = ["name", "representative", "address", "former_address", "phone"]
    autocomplete_fields = ["commune", "sources"]
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

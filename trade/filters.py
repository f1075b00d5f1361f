"""The filters of /where-to-buy/: by commune and by the category of the products carried."""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalogue.models import Category, Product
from core.text import printable
from places.models import Commune

from .models import PointOfSale


class PointOfSaleFilter(django_filters.FilterSet):
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.all(), to_field_name="slug"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Products of the category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="carrying_category",
    )

    class Meta:
        model = PointOfSale
        fields = ["commune", "category"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name in list(data):
                data.setlist(name, [printable(value) for value in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def carrying_category(self, queryset, name, value):
        return queryset.carrying(Product.objects.published().in_category(value))

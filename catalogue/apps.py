from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from places.models import Commune, CommuneAlias

        from . import caching, models

        caching.watch(
            Commune,
            CommuneAlias,
            models.Category,
            models.Producer,
            models.Product,
            models.ProductImage,
            models.ProductLink,
        )

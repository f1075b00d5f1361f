from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self):
        from django.db.models.signals import post_migrate

        from places.models import Commune, CommuneAlias
        from sources.models import OfficialFigure, Source

        from . import caching, models
        from .models import fulltext

        post_migrate.connect(fulltext.ensure_index, sender=self)

        caching.watch(
            Commune,
            CommuneAlias,
            models.Category,
            models.Producer,
            models.Product,
            models.ProductImage,
            models.ProductLink,
            # The sources app lies below: the pages that show its rows watch them here.
            Source,
            OfficialFigure,
        )

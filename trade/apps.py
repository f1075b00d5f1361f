from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "trade"
    verbose_name = _("Where to buy and visit")

    def ready(self):
        from catalogue import caching

        from . import models

        caching.watch(models.PointOfSale, models.SalesChannel, models.ProducerPlace)

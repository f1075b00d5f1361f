from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "trade"
    verbose_name = _("Where to buy and visit")

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from catalogue import caching

        from . import models, restore

        caching.watch(models.PointOfSale, models.SalesChannel, models.ProducerPlace)
        post_create_historical_record.connect(
            restore.restore_channels, dispatch_uid="trade-restore-channels"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and news")

    def ready(self):
        from catalogue import caching

        from . import models

        caching.watch(
            models.Event,
            models.EventImage,
            models.Entrant,
            models.Session,
            models.Speaker,
            models.NewsItem,
            models.NewsImage,
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarksConfig(AppConfig):
    name = "marks"
    verbose_name = _("Quality marks")

    def ready(self):
        from catalogue import caching

        from .models import QualityMark

        caching.watch(QualityMark)

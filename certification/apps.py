from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("OCOP certification")

    def ready(self):
        from catalogue import caching

        from .models import Certificate

        caching.watch(Certificate)

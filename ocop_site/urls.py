import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from catalogue import views as catalogue_views
from opendata import api as opendata_api
from ops import views as ops_views
from ops.forms import AdminLoginForm

from .sitemaps import SITEMAPS

# A database error outside any view gets the static 503 page too (ops/middleware.py).
handler500 = "ops.views.server_error"

admin.site.site_header = "OCOP Thái Nguyên"
admin.site.site_title = "OCOP Thái Nguyên"
admin.site.login_form = AdminLoginForm

# Admin pages of models that moved out of the catalogue app, at their old addresses.
MOVED_ADMIN_PAGES = {"commune": "places", "qualitymark": "marks"}

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    # The open-data API: not translated, so outside i18n_patterns (opendata/api.py).
    path("api/v1/", opendata_api.urls()),
    *[
        re_path(
            rf"^{re.escape(settings.ADMIN_PATH)}catalogue/{model}/(?P<rest>.*)$",
            RedirectView.as_view(
                url=f"/{settings.ADMIN_PATH}{app}/{model}/%(rest)s", query_string=True
            ),
        )
        for model, app in MOVED_ADMIN_PAGES.items()
    ],
    path(settings.ADMIN_PATH, admin.site.urls),
    path("robots.txt", catalogue_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", catalogue_views.sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        catalogue_views.sitemap_section,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    *i18n_patterns(
        path("", include("registry.urls")),
        path("", include("catalogue.urls")),
        path("", include("certification.urls")),
        path("", include("corrections.urls")),
        path("", include("trade.urls")),
        path("", include("events.urls")),
        path("", include("opendata.urls")),
        path("", include("producers.urls")),
        prefix_default_language=False,
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The benchmark's practical limit (bench/pages.py): never set in production.
if settings.BENCH_PRERENDERED_PATH:
    urlpatterns += [
        path("bench/prerendered/", ops_views.bench_prerendered, name="bench-prerendered")
    ]

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from catalogue import views as catalogue_views

from . import views as site_views

admin.site.site_header = "OCOP Thái Nguyên"
admin.site.site_title = "OCOP Thái Nguyên"

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("robots.txt", catalogue_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", catalogue_views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", catalogue_views.sitemap_section, name="sitemap-section"),
    *i18n_patterns(
        path("", include("catalogue.urls")),
        path("", include("certification.urls")),
        prefix_default_language=False,
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The benchmark's practical limit (scripts/bench_pages.py): never set in production.
if settings.BENCH_PRERENDERED_PATH:
    from . import views

    urlpatterns += [path("bench/prerendered/", views.bench_prerendered, name="bench-prerendered")]

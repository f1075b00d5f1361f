from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "OCOP Thái Nguyên"
admin.site.site_title = "OCOP Thái Nguyên"

urlpatterns = [
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", include("catalogue.urls")),
        path("", include("certification.urls")),
        prefix_default_language=False,
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

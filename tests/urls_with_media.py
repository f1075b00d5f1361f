"""The site's URLs plus media served by Django, as `static()` adds them in DEBUG."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from ocop_site.urls import urlpatterns as site_patterns


def media(request, path):
    """django.views.static.serve at the MEDIA_ROOT of the running test."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# First: the site's own media pattern may be there too (DEBUG when ocop_site.urls was
# imported), serving the real ./media.
urlpatterns = [
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", media),
    *site_patterns,
]

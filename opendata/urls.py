from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds, views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.dataset, name="dataset"),
    path("open-data/ocop-thai-nguyen.<str:fmt>", views.download, name="download"),
    path("feeds/ratings/", require_safe(feeds.RatingChangesFeed()), name="rating-feed"),
]

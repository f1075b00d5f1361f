from django.urls import path

from . import feeds, views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.dataset, name="dataset"),
    path("open-data/ocop-thai-nguyen.<str:fmt>", views.download, name="download"),
    path("feeds/ratings/", feeds.RatingChangesFeed(), name="rating-feed"),
]

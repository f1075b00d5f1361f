from django.urls import path

from . import views

app_name = "trade"

urlpatterns = [
    path("where-to-buy/", views.point_list, name="point-list"),
    path("where-to-buy/<slug:slug>/", views.point_detail, name="point-detail"),
    path("visit/", views.visit, name="visit"),
    path("map/", views.place_map, name="map"),
    path("products/<slug:slug>/contact/", views.enquiry, name="enquiry"),
    path("products/<slug:slug>/contact/sent/", views.enquiry_sent, name="enquiry-sent"),
]

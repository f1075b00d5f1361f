from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product-list"),
    path("products/<slug:slug>/", views.product_detail, name="product-detail"),
    path("products/<slug:slug>/label/", views.product_label, name="product-label"),
    path("products/<slug:slug>/qr.svg", views.product_qr, {"kind": "svg"}, name="product-qr-svg"),
    path("products/<slug:slug>/qr.png", views.product_qr, {"kind": "png"}, name="product-qr-png"),
    path("producers/", views.producer_list, name="producer-list"),
    path("producers/<slug:slug>/", views.producer_detail, name="producer-detail"),
    path("communes/", views.commune_list, name="commune-list"),
    path("communes/<slug:slug>/", views.commune_detail, name="commune-detail"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<slug:slug>/", views.category_detail, name="category-detail"),
    path("stars/<int:stars>/", views.star_list, name="star-detail"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:chart>.csv", views.statistics_csv, name="statistics-csv"),
]

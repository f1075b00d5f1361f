from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("products/export.csv", views.product_export, name="product-export"),
]

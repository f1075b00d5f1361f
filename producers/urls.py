from django.urls import path

from . import views

app_name = "producers"

urlpatterns = [
    path("producer/", views.home, name="home"),
    path("producer/login/", views.PortalLoginView.as_view(), name="login"),
    path("producer/logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("producer/invitation/<uidb64>/<token>/", views.accept_invitation, name="accept"),
    path("producer/producers/<int:pk>/edit/", views.edit_producer, name="producer-edit"),
    path("producer/products/<int:pk>/edit/", views.edit_product, name="product-edit"),
    path("producer/products/<int:pk>/qr.svg", views.product_qr, {"kind": "svg"}, name="qr-svg"),
    path("producer/products/<int:pk>/qr.png", views.product_qr, {"kind": "png"}, name="qr-png"),
    path("producer/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("producer/photos/<int:pk>/", views.proposed_photo, name="photo"),
]

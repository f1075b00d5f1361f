from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("certificates/verify/", views.verify, name="verify"),
]

from django.urls import path

from . import views

app_name = "corrections"

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/thanks/", views.report_thanks, name="report-thanks"),
]

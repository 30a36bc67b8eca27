from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("export/<slug:name>.<str:fmt>", views.export, name="export"),
    path("monthly-report.<str:fmt>", views.monthly_report, name="monthly_report"),
]

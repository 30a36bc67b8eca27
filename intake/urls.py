"""Intake pages. Each module of ``intake.views`` owns its urlpatterns (catalogue / apply / window)."""

from .views import apply, catalogue, packages, window

app_name = "intake"
urlpatterns = catalogue.urlpatterns + apply.urlpatterns + window.urlpatterns + packages.urlpatterns

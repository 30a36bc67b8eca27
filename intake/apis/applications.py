"""API: applications (owned by its helper; see intake/api_urls.py)."""
urlpatterns: list = []

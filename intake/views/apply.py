"""Pages: apply (owned by its helper; see intake/urls.py)."""
urlpatterns: list = []

"""Pages: catalogue (owned by its helper; see intake/urls.py)."""
urlpatterns: list = []

from . import package_views, views

app_name = views.app_name
# the package pages first: "packages/…" is not a case reference
urlpatterns = package_views.urlpatterns + views.urlpatterns

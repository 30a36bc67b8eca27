"""The project's URLs plus one endpoint nobody wrote a rule for: test_permission_matrix must catch it."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("portal.urls")),
    path("api/v1/brand-new/", lambda request: HttpResponse("hi"), name="api-brand-new"),
]

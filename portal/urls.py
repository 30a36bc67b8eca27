from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.urls import URLResolver, include, path
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from portal.accounts import views as account_views
from portal.api_docs import RedocView, SwaggerView


class FirstSegmentPattern(RoutePattern):
    """The empty route of an app's API include (``path("", include(...))``: the same URLs, names and
    schema), but it lets through only a path whose first segment begins one of the app's routes. Django
    tries the patterns in order: without it an API request ran every earlier app's patterns (≈ 110 regular
    expressions for the last app's routes) before reaching its own."""

    def __init__(self, segments: list[str]) -> None:
        super().__init__("", is_endpoint=False)
        self.segments = tuple(f"{segment}/" for segment in segments)

    def match(self, path: str) -> Any:
        return (path, (), {}) if path.startswith(self.segments) else None


def api_include(module: str) -> Any:
    """``path("", include(module))``, tried only for the first segments of its routes; a module with a
    route that does not begin with a literal segment is tried for every path, as before."""
    urlconf_module, app_name, namespace = include(module)
    segments = set()
    for pattern in import_module(module).urlpatterns:
        route = getattr(pattern.pattern, "_route", None)
        if not isinstance(pattern.pattern, RoutePattern) or not route or "<" in route.split("/", 1)[0]:
            return path("", include(module))
        if "/" not in route:
            return path("", include(module))
        segments.add(route.split("/", 1)[0])
    return URLResolver(
        FirstSegmentPattern(sorted(segments)), urlconf_module, app_name=app_name, namespace=namespace
    )


api_v1 = [
    api_include("portal.accounts.api_urls"),
    api_include("portal.notifications.api_urls"),
    api_include("intake.api_urls"),
    api_include("approvals.api_urls"),
    api_include("supervision.api_urls"),
    api_include("complaints.api_urls"),
    api_include("licences.api_urls"),
    api_include("hall.api_urls"),
]
if settings.BENCH_ENDPOINTS:  # bench/intake_load.py only; never in production (check --deploy)
    api_v1.append(api_include("portal.benchmarks.urls"))

# The Django admin is the portal's back office (事项目录、工作日历、用户与部门).
admin.site.site_header = _("一窗受理政务服务平台 · 后台管理")
admin.site.site_title = _("一窗受理政务服务平台后台")
admin.site.index_title = _("事项目录、工作日历、用户与部门")

urlpatterns = [
    # The API first: Django tries the patterns in order, and the pages' includes at "" (intake's) would
    # be tried pattern by pattern before every API request (no page path starts with "api/").
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", account_views.home, name="home"),
    path("my/", include("complaints.centre_urls")),  # 个人中心 (complaints.views.centre reads every app)
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("portal.accounts.urls")),
    path("inbox/", include("portal.notifications.urls")),
    path("", include("intake.urls")),
    path("cases/", include("approvals.urls")),
    path("supervision/", include("supervision.urls")),
    path("complaints/", include("complaints.urls")),
    path("licences/", include("licences.urls")),
    path("hall/", include("hall.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "portal.api.not_found"
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler500 = "portal.errors.server_error"

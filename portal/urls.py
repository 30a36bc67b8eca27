from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from portal.accounts import views as account_views
from portal.api_docs import RedocView, SwaggerView

api_v1 = [
    path("", include("portal.accounts.api_urls")),
    path("", include("portal.notifications.api_urls")),
    path("", include("intake.api_urls")),
    path("", include("approvals.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("complaints.api_urls")),
    path("", include("licences.api_urls")),
    path("", include("hall.api_urls")),
]
if settings.BENCH_ENDPOINTS:  # bench/intake_load.py only; never in production (check --deploy)
    api_v1.append(path("", include("portal.benchmarks.urls")))

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

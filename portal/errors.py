"""Error pages inside the site layout (403.html, 404.html, 500.html), each falling back to a plain page when
the layout itself cannot be drawn (a static file missing from the manifest, the database down): an error
page must never become a second error.

Django's own 500 handler renders 500.html without the request (no signed-in user, no CSRF token for the
header's forms); this one renders it with the request."""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error

PLAIN = (
    '<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><title>{0}</title>'
    '<h1>{0}</h1><p>{1}</p><p><a href="/">回到首页</a> · 咨询电话 12345</p></html>'
)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    try:
        return django_page_not_found(request, exception)
    except Exception:
        return HttpResponseNotFound(PLAIN.format("找不到这个页面", "您要找的页面不存在，请检查网址。"))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_json(request, 403, "您没有执行该操作的权限。")
    if answer is not None:
        return answer
    try:
        return django_permission_denied(request, exception)
    except Exception:
        return HttpResponseForbidden(PLAIN.format("您没有权限查看这个页面", "请确认登录的账号。"))


def _api_json(request: HttpRequest, status: int, detail: str) -> HttpResponse | None:
    """Under /api/ every error is JSON in the API's shape (issue 17), whatever raised it."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    answer = _api_json(request, 400, "请求有误，无法处理。")
    if answer is not None:
        return answer
    try:
        return django_bad_request(request, exception)
    except Exception:
        return HttpResponseBadRequest(PLAIN.format("请求有误", "无法处理这个请求，请返回重试。"))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    answer = _api_json(request, 500, "服务器暂时出现问题，请稍后再试。")
    if answer is not None:
        return answer
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}, request))
    except Exception:  # the layout itself failed (the database is down): Django's plain page
        return django_server_error(request)

"""The first line against hostile input (issue 17): one middleware that refuses, before any view runs,
what no field of the portal may hold and what the database or the parsers would turn into a 500.

- NUL and other control characters (C0 but tab, line feed and carriage return; DEL; C1) and lone UTF-16
  surrogates, in the path, the query string, form fields (urlencoded and multipart, not the files'
  content) and every string and key of a JSON body. PostgreSQL cannot store a NUL (psycopg raises), so a
  NUL that reached a query used to be a 500; a control character is never part of a name, an address or a
  note.
- JSON bodies: larger than ``API_JSON_MAX_BYTES`` (413), nested deeper than ``API_JSON_MAX_DEPTH`` (400;
  1000 levels used to end in a RecursionError), not JSON at all (400).
- A body Django cannot parse (a broken multipart body, too many fields, too large): 400 / 413 instead of
  Django's English default page.

A refusal under ``/api/`` is JSON in the API's shape (``{"detail": …, "<field>": ["…"]}``); a page gets a
plain Chinese page (the layout needs the signed-in user, not known yet here). Cookies with such
characters are dropped rather than refused (a broken session cookie means "not signed in").
Nothing is stored: the middleware runs before the session, CSRF, authentication and the views."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from portal.errors import PLAIN

logger = logging.getLogger("portal.input_guard")

# Never in a value: C0 controls but \t \n \r, DEL, C1 controls, lone surrogates.
BAD_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Never in a path, a key or a cookie: every control character.
BAD_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

JSON_MAX_BYTES_DEFAULT = 1024 * 1024
JSON_MAX_DEPTH_DEFAULT = 32

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Refused(Exception):
    def __init__(self, status: int, detail: str, field: str = "", field_message: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.field_message = field_message


def control_message() -> str:
    return _("不能含有控制字符（如NUL）或无效字符，请删除后重新提交。")


def _check_pairs(pairs: Any, *, where: str) -> None:
    for key, values in pairs:
        if BAD_IN_NAME.search(key):
            raise Refused(400, _("请求中含有无效的字段名。"))
        for value in values:
            if isinstance(value, str) and BAD_IN_TEXT.search(value):
                raise Refused(400, _("提交的内容含有控制字符，已拒绝。"), key, control_message())


def _check_json(data: Any, *, max_depth: int) -> None:
    """Walk the parsed body without recursion: depth, and every key and string."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise Refused(
                    400, _("请求内容嵌套过深（最多%(n)s层）。") % {"n": max_depth}, field, _("嵌套过深。")
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    if BAD_IN_NAME.search(key):
                        raise Refused(400, _("请求中含有无效的字段名。"))
                    stack.append((item, depth + 1, field or key))
            else:
                stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, str) and BAD_IN_TEXT.search(value):
            raise Refused(400, _("提交的内容含有控制字符，已拒绝。"), field, control_message())


def _json_body(request: HttpRequest) -> None:
    max_bytes = getattr(settings, "API_JSON_MAX_BYTES", JSON_MAX_BYTES_DEFAULT)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_big = Refused(413, _("请求内容过大（JSON最多%(n)sKB）。") % {"n": max_bytes // 1024})
    if length > max_bytes:
        raise too_big
    body = request.body
    if len(body) > max_bytes:
        raise too_big
    if not body.strip():
        return
    try:
        data = json.loads(body)
    except RecursionError:
        raise Refused(400, _("请求内容嵌套过深。")) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise Refused(400, _("请求内容不是有效的JSON。")) from None
    _check_json(data, max_depth=getattr(settings, "API_JSON_MAX_DEPTH", JSON_MAX_DEPTH_DEFAULT))


def inspect(request: HttpRequest) -> None:
    """Raise Refused for the first thing wrong with the request."""
    if BAD_IN_NAME.search(request.path_info) or BAD_IN_NAME.search(request.path):
        raise Refused(400, _("网址中含有控制字符，已拒绝。"))
    _check_pairs(request.GET.lists(), where="query")
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type in FORM_TYPES:
            try:
                pairs = list(request.POST.lists())
            except RequestDataTooBig:
                raise Refused(413, _("提交的内容过大。")) from None
            except (MultiPartParserError, SuspiciousOperation, BadRequest):
                raise Refused(400, _("无法读取提交的内容，请重新提交。")) from None
            _check_pairs(pairs, where="form")
            # (file names are cleaned where the files are stored: intake/services/uploads.py)
            if any(BAD_IN_NAME.search(name) for name in request.FILES):
                raise Refused(400, _("请求中含有无效的字段名。"))
        elif content_type == "application/json" or content_type.endswith("+json"):
            _json_body(request)


def _drop_bad_cookies(request: HttpRequest) -> None:
    bad = [name for name, value in request.COOKIES.items() if BAD_IN_NAME.search(name + value)]
    for name in bad:
        del request.COOKIES[name]


def refusal_response(request: HttpRequest, refused: Refused) -> HttpResponse:
    if request.path_info.startswith("/api/") or request.path.startswith("/api/"):
        body: dict[str, Any] = {"detail": refused.detail}
        if refused.field and not BAD_IN_NAME.search(refused.field):
            body[refused.field] = [refused.field_message]
        return JsonResponse(body, status=refused.status, json_dumps_params={"ensure_ascii": False})
    title = _("提交的内容过大") if refused.status == 413 else _("无法处理这个请求")
    text = refused.detail
    if refused.field_message:
        text = f"{text}{refused.field_message}"
    response = HttpResponse(
        PLAIN.format(title, text), status=refused.status, content_type="text/html; charset=utf-8"
    )
    return response


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _drop_bad_cookies(request)
        try:
            inspect(request)
        except Refused as refused:
            logger.info("input refused (%s): %s", refused.status, refused.detail)
            return refusal_response(request, refused)
        return self.get_response(request)

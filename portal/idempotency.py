"""``Idempotency-Key`` on the submission APIs (issue 17, failure 8): a client that lost the answer (the
connection dropped at commit, a 500 from a proxy) sends the same request again with the same key and gets
the first answer back, not a second application.

The record is written in the same transaction as the submission, so both commit or neither does. Two
requests with one key at the same time: the second one's insert waits on the first one's row (the unique
index) and then replays its answer; if the first rolled back, the second runs. Only successful answers
(2xx) are kept: a refused request (4xx) may be corrected and sent again with the same key. Records are
kept 24 hours per user and key (``IDEMPOTENCY_TTL_HOURS``); a key reused for a different request is a
409."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from portal.accounts.models import IdempotencyRecord
from portal.accounts.services import idempotency_ttl
from portal.exceptions import ApplicationError, ConflictError
from portal.http import api_user

HEADER = "Idempotency-Key"
KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, no spaces, e.g. a UUID

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your choice (e.g. a UUID, 1-100 printable ASCII characters) that makes a retry safe: "
        "the same key with the same request within 24 hours answers with the first answer (header "
        "Idempotent-Replayed: true) and creates nothing; with a different request it is a 409."
    ),
)


def _fingerprint(request: Any, kwargs: dict[str, Any]) -> str:
    data = request.data
    if hasattr(data, "lists"):
        fields = sorted((k, v) for k, v in data.lists() if k not in request.FILES)
    else:
        fields = data
    files = sorted((k, f.name, f.size) for k, f in request.FILES.items())
    text = json.dumps([request.method, kwargs, fields, files], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def ttl() -> timedelta:
    return idempotency_ttl()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView's ``post``: honour an ``Idempotency-Key`` header when the client sends one."""

    @functools.wraps(method)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not KEY_FORMAT.fullmatch(key):
            raise ApplicationError(
                _("Idempotency-Key 应为1到100个可见的ASCII字符（例如一个UUID）。"),
                extra={HEADER: [_("格式不正确。")]},
            )
        user = api_user(request)
        fingerprint = _fingerprint(request, kwargs)
        with transaction.atomic():
            IdempotencyRecord.objects.filter(
                user=user, key=key, created_at__lt=timezone.now() - ttl()
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, endpoint=request.path[:200], fingerprint=fingerprint
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.filter(user=user, key=key).first()
                if first is None or first.status_code is None:
                    raise ConflictError(_("使用同一Idempotency-Key的请求正在处理，请稍后重试。")) from None
                if first.fingerprint != fingerprint or first.endpoint != request.path[:200]:
                    raise ConflictError(
                        _("这个Idempotency-Key已用于另一个请求；新的请求请使用新的Idempotency-Key。")
                    ) from None
                return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})
            response = method(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.body = response.data
                record.save(update_fields=["status_code", "body"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper

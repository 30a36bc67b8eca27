"""API glue shared by every app: the exception handler that maps domain errors to answers, and a
ModelSerializer mixin that builds its fields once."""
import copy
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        return Response(
            {"detail": _("该办件的状态已变化，当前不能执行此操作，请刷新后重试。"), "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message}
        body.update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# For a ModelSerializer whose fields do not depend on the request: build them from the model once per
# class, then copy them. ModelSerializer otherwise inspects the model for every field on every request
# (a fifth of the case list's time). (A comment, not a docstring: the schema would show it.)
class FieldsBuiltOnceMixin:

    def get_fields(self):  # type: ignore[no-untyped-def]
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            type(self)._built_fields = built
        return copy.deepcopy(built)

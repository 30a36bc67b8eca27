"""API glue shared by every app: the exception handler that maps domain errors to answers, and a
ModelSerializer mixin that builds its fields once."""

import copy
import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.manager import BaseManager
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction
from rest_framework import exceptions, serializers, status
from rest_framework.fields import SkipField, empty, get_attribute
from rest_framework.relations import ManyRelatedField, RelatedField
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
    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


class ErrorSerializer(serializers.Serializer):
    """An error answer: ``detail`` says what went wrong; a 400 adds one list of messages per bad field."""

    detail = serializers.CharField(required=False, help_text="the message for the user")
    code = serializers.CharField(required=False, help_text="a machine-readable reason, e.g. conflict")


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers every endpoint can give (the exception handler
    above): 400 bad input, 401 not signed in or a bad token, 403 not allowed, 404 no such object (or not
    yours), 409 the state changed, 415 a body of another media type, 429 too many requests. The API fuzzer
    (tests/security) holds the endpoints to exactly these."""

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        codes = {"400": "bad input: a message, and messages per field"}
        if self.view.get_authenticators():
            codes["401"] = "not signed in, or a bad token"
        if self.get_auth():
            codes["403"] = "signed in, but not allowed to do this"
        if "{" in self.path or writes or self._get_paginator() is not None:  # a page past the end: 404
            codes["404"] = "no such object, or not one the user may see"
        if writes:
            codes["409"] = "the object's state does not allow this now"
            codes["415"] = "the body's media type is not one this operation reads"
        if self.view.get_throttles() or writes:
            codes["429"] = "too many requests; try again later"
        for code, description in codes.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


def not_found(request: Any, exception: Exception) -> Any:
    """handler404: a URL under /api/ that matches no route answers like the API does (JSON), pages get the
    site's 404 page."""
    from django.http import JsonResponse

    from portal.errors import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return page_not_found(request, exception)


# For an input serializer whose fields depend on nothing of the request (no context, never partial, no
# field changed per instance): its fields are built and bound once per class — to a template instance
# that holds no data, which is all a field reads of its parent (``partial``, ``context``) — and shared by
# every instance. DRF deep-copies the declared fields for every instance (each field built again, the
# choices of a ChoiceField flattened again): two thirds of validating an online submission's input.
# DRF's fields keep nothing of one validation for the next; their messages are translated when raised,
# or once per language (below).
class FieldsBoundOnceMixin:
    @property
    def fields(self) -> Any:
        cls = type(self)
        by_language = cls.__dict__.get("_bound_fields")
        if by_language is None:
            by_language = cls._bound_fields = {}  # type: ignore[attr-defined]
        # per language: a field keeps some messages formatted once (DRF's lazy_format, e.g. max_length's)
        language = get_language()
        bound = by_language.get(language)
        if bound is None:
            template = cls()
            bound = by_language[language] = super(FieldsBoundOnceMixin, template).fields  # type: ignore[misc]
        return bound


# For a read-only list serializer (FieldsBuiltOnceMixin's fields): each row is what DRF's
# Serializer.to_representation gives — per field its attribute by the field's source, None as None, else
# the field's to_representation — from the fields built once, without copying them for every request and
# without DRF's per-row field machinery (a third of the case list's serialising). Only plain fields take
# this path (no related, method, file or hidden field, no source "*"; a nested serializer only as a plain
# ``many=True`` list of another PlainRowsMixin serializer, e.g. an application's materials; a subclass
# with any other field is served by DRF as before), and a row whose attribute cannot be read is served by
# DRF too (its defaults, nulls and skipped fields). Same keys, same order, same values.
_NOT_PLAIN = (
    serializers.BaseSerializer,
    serializers.SerializerMethodField,
    serializers.FileField,
    serializers.HiddenField,
    RelatedField,
    ManyRelatedField,
)


class _NotPlain(Exception):
    """A nested row that the plain path cannot give: the whole answer is DRF's."""


def _plain_list(child: "PlainRowsMixin", value: Any) -> list[Any]:
    """ListSerializer.to_representation, each item by the child's plain path."""
    rows = []
    for item in value.all() if isinstance(value, BaseManager) else value:
        row = child._plain_row(item)
        if row is None:
            raise _NotPlain
        rows.append(row)
    return rows


def _plain_nested(field: Any) -> bool:
    """``field`` is a plain ``many=True`` list of a PlainRowsMixin serializer whose rows are plain."""
    return (
        type(field) is serializers.ListSerializer
        and isinstance(field.child, PlainRowsMixin)
        and bool(field.child._row_plan())
    )


class PlainRowsMixin(FieldsBuiltOnceMixin):
    def _row_plan(self) -> Any:
        cls = type(self)
        plan = cls.__dict__.get("_plain_plan")
        if plan is None:
            self.get_fields()  # builds cls._built_fields
            plan = []
            for name, field in cls.__dict__["_built_fields"].items():
                if field.write_only:
                    continue
                source = field.source or name
                nested = _plain_nested(field)
                if (
                    (isinstance(field, _NOT_PLAIN) and not nested)
                    or source == "*"
                    or type(field).get_attribute is not serializers.Field.get_attribute
                    or field.default is not empty
                ):
                    plan = False
                    break
                represent = functools.partial(_plain_list, field.child) if nested else field.to_representation
                plan.append((name, source.split("."), represent))
            cls._plain_plan = plan  # type: ignore[attr-defined]
        return plan

    def _plain_row(self, instance: Any) -> dict[str, Any] | None:
        """The row by the plan, or None when DRF must give it."""
        row = {}
        try:
            for name, attrs, represent in self._row_plan():
                value = get_attribute(instance, attrs)
                row[name] = None if value is None else represent(value)
        except (KeyError, AttributeError, SkipField, _NotPlain):
            return None
        return row

    def to_representation(self, instance: Any) -> Any:
        row = self._plain_row(instance) if self._row_plan() else None
        if row is None:
            return super().to_representation(instance)  # type: ignore[misc]
        return row

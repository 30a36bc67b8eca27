"""Typed requests for the views. A view behind ``@login_required`` takes an ``AuthenticatedHttpRequest``:
its ``user`` is a signed-in portal ``User``, not ``User | AnonymousUser`` (django-stubs' recommended way).
An API view behind ``IsAuthenticated`` gets its user with ``api_user(request)``."""

from typing import Any

from django.http import HttpRequest
from rest_framework.exceptions import NotAuthenticated

from portal.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def api_user(request: Any) -> User:
    """The signed-in user of an API request (401 if nobody is signed in)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user

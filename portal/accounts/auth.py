"""API token authentication: django-rest-knox's, without its clean-up on every request.

knox's ``TokenAuthentication._cleanup_token`` reads *every* token of the user on each authenticated
request to delete the expired ones (one extra query per API call, the largest single cost of a bare API
request after the token look-up itself: docs/scaling.md, issue 19). Here the presented token's own expiry
is still checked on every request — an expired token is refused (401) and deleted, as knox does — and
the user's *other* expired tokens, which no request can use any more, are deleted by a periodic task
(``tokens_expired_purge``, Celery beat: portal/schedule.py) instead of by whoever calls the API next.

The token's look-up (the token rows of the presented key with their user, ``select_related("user")``)
is knox's query, with its SQL compiled once per process on PostgreSQL (``portal.compiled_sql``): the ORM
built and compiled it, with the user's ≈ 30 columns, on every API request — a third of a bare API GET
(callgrind: 6.52 → 4.29 M instructions a request, docs/scaling.md, issue 19). The same rows, the same
objects (the token with its whole user cached on it), the same checks in the same order as knox's
``authenticate_credentials`` (django-rest-knox 5.1), which ``authenticate_credentials`` below follows
line for line."""

import binascii
from hmac import compare_digest
from typing import Any

from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from portal.compiled_sql import compiled_objects

# Where the presented key goes in the compiled SQL: longer than any key knox stores (its token_key column
# holds at most 15 characters), so no real key is ever mistaken for it.
_KEY_STAND_IN = "stand-in-for-the-token-key"


# The user's roles (group names) come with the token on PostgreSQL, as one more column of the same
# statement, for a view that checks them on every call (``token_with_roles = True``, e.g. the online
# submission's ``is_applicant``): a query of its own before. Read in the same statement as the user, so
# never older than the user row. Only where asked: the column costs the database ≈ 0.1 ms of CPU a
# statement (planning the subquery), which a view that checks no role would pay for nothing.
_ROLES = "portal_role_names"


def _tokens(token_key: str, *, with_roles: bool = False) -> list[Any]:
    """The tokens of ``token_key`` with their user, as knox's queryset gives them; ``with_roles`` on
    PostgreSQL: each token also carries its user's group names (``_ROLES``)."""
    model = get_token_model()

    def tokens(key: str) -> Any:
        found = model.objects.filter(token_key=key).select_related("user")
        if with_roles and connection.vendor == "postgresql":
            from django.contrib.auth.models import Group
            from django.contrib.postgres.expressions import ArraySubquery

            names = Group.objects.filter(user=OuterRef("user_id")).values("name")
            found = found.annotate(**{_ROLES: ArraySubquery(names)})
        return found

    return compiled_objects(
        ("knox-token", model._meta.label, with_roles),
        lambda: tokens(token_key),
        lambda: tokens(_KEY_STAND_IN),
        {_KEY_STAND_IN: token_key},
        needed=1,
    )


class TokenAuthentication(KnoxTokenAuthentication):
    with_roles = False

    def authenticate(self, request: Any) -> Any:
        """knox's; the user's roles come with the token when the view asks (``token_with_roles``)."""
        view = (getattr(request, "parser_context", None) or {}).get("view")
        self.with_roles = bool(getattr(view, "token_with_roles", False))
        return super().authenticate(request)

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """knox's, reading the tokens through ``_tokens``."""
        msg = _("Invalid token.")
        key = token.decode("utf-8")
        for auth_token in _tokens(key[: CONSTANTS.TOKEN_KEY_LENGTH], with_roles=self.with_roles):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(msg) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, auth_token = self.validate_user(auth_token)
                roles = getattr(auth_token, _ROLES, None)
                if roles is not None:
                    user._role_names = set(roles)  # what User.role_names() would read now
                return user, auth_token
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (skip this token: not valid) when the presented token has expired; it is deleted."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class _TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of the class above: knox's own, under its name (``knoxApiToken``)."""

    target_class = "portal.accounts.auth.TokenAuthentication"

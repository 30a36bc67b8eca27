"""API token authentication: django-rest-knox's, without its clean-up on every request.

knox's ``TokenAuthentication._cleanup_token`` reads *every* token of the user on each authenticated
request to delete the expired ones (one extra query per API call, the largest single cost of a bare API
request after the token look-up itself: docs/scaling.md, issue 19). Here the presented token's own expiry
is still checked on every request — an expired token is refused (401) and deleted, as knox does — and
the user's *other* expired tokens, which no request can use any more, are deleted by a periodic task
(``tokens_expired_purge``, Celery beat: portal/schedule.py) instead of by whoever calls the API next."""

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
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

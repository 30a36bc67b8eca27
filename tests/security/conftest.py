"""The security tests share one World per module, built inside a transaction rolled back at its end."""

import pytest
from django.db import transaction
from django.test import override_settings

from .world import World


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One World for the module, inside a transaction rolled back at the end of the module."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast = override_settings(
        MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World(media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

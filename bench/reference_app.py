"""The reference app of bench/web_ratios.py: a bare Django + DRF app in one file, what ``startproject``
and the DRF tutorial give — Django's default middleware, one model, DRF token authentication, a GET of
one row by key and a POST of one row — on the same PostgreSQL server with the same connection settings as
the portal in production (persistent, health-checked connections), served by the same gunicorn.

    cd bench && REF_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ref gunicorn reference_app:application

Schema and data: ``python -c "import reference_app; reference_app.setup()"`` from bench/.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

import django
from django.conf import settings

_url = urllib.parse.urlparse(os.environ.get("REF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ref"))
settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("REF_SECRET_KEY", "reference-app-bench-only-secret-key-0123456789abcdef"),
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "django.contrib.messages",
        "rest_framework",
        "rest_framework.authtoken",
        "reference_app",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _url.path.lstrip("/"),
            "USER": _url.username or "postgres",
            "PASSWORD": _url.password or "",
            "HOST": _url.hostname or "127.0.0.1",
            "PORT": str(_url.port or 5432),
            "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    },
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    },
)
django.setup()

from django.db import models  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import serializers, status  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Row(models.Model):
    note = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "reference_app"

    def __str__(self) -> str:
        return self.note


class RowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Row
        fields = ["id", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class RowCreateApi(APIView):
    def post(self, request: Any) -> Response:
        serializer = RowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = serializer.save()
        return Response(RowSerializer(row).data, status=status.HTTP_201_CREATED)


class RowDetailApi(APIView):
    def get(self, request: Any, pk: int) -> Response:
        return Response(RowSerializer(get_object_or_404(Row, pk=pk)).data)


urlpatterns = [
    path("api/rows/", RowCreateApi.as_view()),
    path("api/rows/<int:pk>/", RowDetailApi.as_view()),
]


def setup(n: int = 200) -> tuple[str, list[int]]:
    """The schema (Django's and DRF's migrations, the one table), a user with a token and ``n`` rows to
    read (kept from a former run)."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    if Row._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(Row)

    user, _ = User.objects.get_or_create(username="bench")
    token, _ = Token.objects.get_or_create(user_id=user.pk)
    have = Row._default_manager.count()
    Row._default_manager.bulk_create([Row(note=f"row {i}") for i in range(have, n)])
    return token.key, list(Row._default_manager.order_by("pk").values_list("pk", flat=True)[:n])


from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

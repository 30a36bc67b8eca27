"""Operations endpoints (portal/ops.py): /healthz (alive, no database), /readyz (database, cache and
broker answer, else 503 naming what failed), /metrics (not public; the portal's own gauges); JSON logs in
production with resident ID numbers still masked."""

import datetime
import io
import json
import logging
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from portal.celery import app as celery_app
from portal.notifications.models import Delivery
from tests.notifications.factories import DeliveryFactory
from tests.supervision.factories import AlertFactory

ID_NUMBER = "11010519491231002X"


def test_healthz_answers_without_the_database_whatever_the_host(client, settings):
    """No django_db mark: a query would fail the test (pytest-django blocks the database)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["zwfw.example.gov.cn"]
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_200_when_database_cache_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


@pytest.fixture
def broker_down(monkeypatch):
    """The broker at an address where nothing listens (a real refused connection, not a mock). Celery
    reads CELERY_BROKER_URL from the environment before its configuration."""
    down = "redis://127.0.0.1:1/0"
    before = celery_app.conf.broker_url  # read before the environment changes it
    monkeypatch.setenv("CELERY_BROKER_URL", down)
    # the write URL too: Celery takes it from the environment before any value a test left in its config
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", down)
    celery_app.conf.broker_url = down
    yield
    celery_app.conf.broker_url = before


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_it_is_down(client, broker_down, settings):
    settings.READYZ_BROKER_TIMEOUT = 0.5
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"].startswith("error: ")
    assert "127.0.0.1" not in response.content.decode()  # no address or password told


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_it_is_down(client):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["cache"]


def test_metrics_are_not_public(client, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.8.0.0/16"]
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    # an allowed address seen through a proxy is the proxy's: not taken
    assert (
        client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    )
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.status_code == 403


@pytest.mark.django_db
def test_metrics_give_the_portals_own_gauges(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.8.0.0/16"]
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    DeliveryFactory.create_batch(3)
    DeliveryFactory(sent=True)
    Delivery.objects.filter(status="pending").update(created_at=timezone.now() - datetime.timedelta(hours=2))
    AlertFactory(level="red")
    AlertFactory(level="red")
    AlertFactory(level="yellow")
    AlertFactory(level="yellow", closed=True)
    from supervision.tasks import alert_scan

    alert_scan()  # records its duration for every node's /metrics

    by_token = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token"
    )
    by_address = client.get("/metrics", REMOTE_ADDR="10.8.4.2")
    assert by_token.status_code == by_address.status_code == 200
    text = by_token.content.decode()
    assert by_token["Content-Type"].startswith("text/plain")

    def value(sample: str) -> float:
        match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.M)
        assert match, sample
        return float(match.group(1))

    assert value('portal_outbox_backlog{channel="sms"}') == 3
    assert value("portal_outbox_unsent_total") == 3
    assert 7200 <= value("portal_outbox_oldest_unsent_age_seconds") < 7300
    assert value('portal_alerts_open{level="red"}') >= 2
    assert value('portal_alerts_open{level="yellow"}') >= 1
    assert value("portal_alert_scan_last_duration_seconds") >= 0
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus' own


def test_production_logs_are_json_lines_with_id_numbers_masked():
    """Production's console handler (LOG_FORMAT=json) writes one JSON object a line; a resident ID
    number in the message, its arguments or an extra field is masked (portal/pii.py)."""
    from portal.pii import MaskResidentIdFilter, json_formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskResidentIdFilter())
    handler.setFormatter(json_formatter())
    log = logging.getLogger("tests.ops.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("lookup of %s failed", ID_NUMBER, extra={"applicant": ID_NUMBER})
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue().strip())
    assert line["level"] == "WARNING" and line["logger"] == "tests.ops.json"
    assert line["message"].startswith("lookup of ") and line["message"].endswith(" failed")
    assert ID_NUMBER not in stream.getvalue()
    assert "1101**********002X" in line["message"] and line["applicant"] == "1101**********002X"


def test_settings_log_json_when_debug_is_off():
    from django.conf import settings

    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert "mask_pii" in settings.LOGGING["handlers"]["console"]["filters"]

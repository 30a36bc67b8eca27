"""The load benchmark's pieces (bench/intake_load.py): its bare endpoints exist only when asked for, and its
driver and lost-row check work against a live server (a couple of seconds on SQLite; the figures that
matter come from the benchmark itself on PostgreSQL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from intake.models import FormField
from portal.accounts.services import api_token_issue
from portal.notifications.models import Delivery
from tests.factories import ItemFactory, MaterialFactory, citizen

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import intake_load  # noqa: E402


@pytest.mark.django_db
def test_bench_endpoints_are_off_by_default(client):
    assert settings.BENCH_ENDPOINTS is False
    assert "portal.benchmarks" not in settings.INSTALLED_APPS
    with pytest.raises(NoReverseMatch):
        reverse("api-bench-row-create")
    token, _expiry = api_token_issue(user=citizen())
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert (
        client.post("/api/v1/bench/rows/", {"note": "x"}, content_type="application/json", **auth).status_code
        == 404
    )
    assert client.get("/api/v1/bench/rows/1/", **auth).status_code == 404


def test_check_deploy_fails_when_bench_endpoints_are_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env.update(
        DEBUG="0",
        BENCH_ENDPOINTS="1",
        SECRET_KEY="p" * 20 + "Kq8vN2xZ7rT4mW9sB1cY6hJ3fL5dG0aE",
        PII_ENCRYPTION_KEY="e" * 20 + "Zr5Tq1Wm8Kx3Vb6Ny0Hc4Jp7Ls2Dg9Fa",
        ALLOWED_HOSTS="portal.example.gov.cn",
        SECURE_SSL_REDIRECT="1",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "benchmarks.E001" in result.stdout + result.stderr


@pytest.fixture
def live_server(request):
    """pytest-django's live server with a media prefix nobody requests (as in tests/e2e/conftest.py: the
    portal never serves media, ``MEDIA_URL = None``, which the live server's static handler cannot parse)."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(MEDIA_URL="/__media-never-served__/"):
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def bench_item(transactional_db):
    item = ItemFactory(code="FG-001", name="企业投资项目备案")
    FormField.objects.create(item=item, key="applicant_address", label="住所", kind="text", required=True)
    material = MaterialFactory(item=item, name="项目备案信息表", mandatory=True)
    return item, material


def test_driver_submits_applications_and_the_lost_row_check_accounts_for_every_one(
    bench_item, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # as the bench server runs
    item, material = bench_item
    users = [citizen(), citizen()]  # the second never applies: its applications would be extra rows
    targets = [
        intake_load.Target(
            token=api_token_issue(user=u)[0], item=item.code, material_key=f"material_{material.pk}"
        )
        for u in users
    ]
    host, port = live_server.url.removeprefix("http://").split(":")
    since = timezone.now()
    # one client at a time: the live server's threads share one SQLite connection (concurrency is the
    # benchmark's business, on PostgreSQL)
    result = intake_load.run_phase("intake", host, int(port), targets[:1], 1.5, processes=0)
    assert result.transport_errors == 0 and result.bad == 0, result.error_samples
    assert result.requests >= 1 and result.statuses[201] == len(result.created) == result.requests
    user_ids = [u.pk for u in users]
    assert intake_load.lost_rows(result.created, None, since, user_ids) == []
    # the progress query finds what the driver created, with the applicant's phone
    for target in targets:
        target.progress = intake_load.progress_pairs(result.created)
    progress = intake_load.run_phase("progress", host, int(port), targets[:1], 0.5, processes=0)
    assert progress.bad == 0 and progress.transport_errors == 0 and progress.requests >= 1, (
        progress.error_samples
    )
    cases = intake_load.run_phase("cases", host, int(port), targets[:1], 0.3, processes=0)
    assert cases.bad == 0 and cases.requests >= 1

    # the check is not vacuous: an outbox row gone missing, or a reference answered twice, is reported
    Delivery.objects.filter(notification__case_reference=result.created[0], channel="sms").delete()
    problems = intake_load.lost_rows(result.created, None, since, user_ids)
    assert len(problems) == 1 and "outbox" in problems[0], problems
    assert intake_load.lost_rows(result.created + result.created[:1], None, since, user_ids)[0].startswith(
        "1 references"
    )
    assert json.dumps(problems)  # plain strings, printed by the benchmark

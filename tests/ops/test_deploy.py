"""The production configuration passes Django's deployment checklist, and the development
defaults really need no server."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL", "SECURE_", "DEBUG"))
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="p" * 20 + "Kq8vN2xZ7rT4mW9sB1cY6hJ3fL5dG0aE",
        PII_ENCRYPTION_KEY="e" * 20 + "Zr5Tq1Wm8Kx3Vb6Ny0Hc4Jp7Ls2Dg9Fa",
        ALLOWED_HOSTS="portal.example.gov.cn",
        CLAMD_URL="tcp://clamav:3310",  # uploads are virus-scanned in production (portal.W017 otherwise)
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_https_redirect_is_turned_off(tmp_path):
    """The documented opt-out (a proxy that redirects HTTP itself) is not silent: security.W008."""
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="p" * 20 + "Kq8vN2xZ7rT4mW9sB1cY6hJ3fL5dG0aE",
        PII_ENCRYPTION_KEY="e" * 20 + "Zr5Tq1Wm8Kx3Vb6Ny0Hc4Jp7Ls2Dg9Fa",
        ALLOWED_HOSTS="portal.example.gov.cn",
        SECURE_SSL_REDIRECT="0",
        CLAMD_URL="tcp://clamav:3310",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "security.W008" in result.stdout + result.stderr


def test_check_deploy_flags_a_missing_personal_data_key(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="p" * 20 + "Kq8vN2xZ7rT4mW9sB1cY6hJ3fL5dG0aE",
        ALLOWED_HOSTS="portal.example.gov.cn",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "portal.E001" in result.stdout + result.stderr


def test_check_deploy_flags_the_development_secret_key(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        PORTAL_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="portal.example.gov.cn",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_defaults_use_sqlite_and_a_serverless_broker(tmp_path):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL); print(s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    engine, broker, zone = out.stdout.split("\n")[:3]
    assert engine == "django.db.backends.sqlite3"
    assert broker.startswith("filesystem://")
    assert zone == "Asia/Shanghai zh-hans"
    assert (tmp_path / "broker" / "queue").is_dir()

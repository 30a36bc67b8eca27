"""The production web server's access log never shows a resident ID number (PIPL): gunicorn, started as in
the Dockerfile, with ./gunicorn.conf.py, writes the request line with the number masked."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ID = "11010519491231002X"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_access_log_masks_id_numbers(tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL"))}
    env.update(PORTAL_VAR_DIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(tmp_path / "error.log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/no-such-page/{ID}/?id_number={ID}"
        for _ in range(100):
            try:
                # as the TLS-terminating proxy forwards it (production redirects plain HTTP to HTTPS)
                request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
                urllib.request.urlopen(request, timeout=5)  # noqa: S310 - a local test server
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer")
        for _ in range(50):  # the worker writes the line after the response
            if log.exists() and "no-such-page" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert "GET /no-such-page/1101**********002X/?id_number=1101**********002X" in text, text
    assert ID not in text and ID[:17] not in text
    # production (DEBUG off) logs JSON lines, for a log collector (docs/scaling.md#operations)
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert any("no-such-page" in line["message"] for line in lines)

"""/metrics under gunicorn with several workers (issue 19): with ``PROMETHEUS_MULTIPROC_DIR`` every worker's
samples are summed, so whichever worker answers a scrape, Prometheus sees every request the server
answered — also those of a worker that has since been replaced (gunicorn.conf.py, portal/ops.py)."""

import http.client
import os
import re
import signal
import time
from pathlib import Path

import pytest

from .servers import free_port, start_gunicorn

ROOT = Path(__file__).resolve().parents[2]
METRIC = "django_http_requests_before_middlewares_total"


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def _requests_counted(text: str) -> float:
    match = re.search(rf"^{METRIC} ([0-9.e+]+)$", text, re.MULTILINE)
    assert match, text[:2000]
    return float(match.group(1))


def _pids_with_samples(directory: Path) -> set[int]:
    return {
        int(m.group(1)) for f in directory.glob("counter_*.db") if (m := re.search(r"_(\d+)\.db$", f.name))
    }


@pytest.mark.parametrize("named", [True, False], ids=["directory named", "directory of gunicorn's own"])
def test_metrics_are_summed_over_every_gunicorn_worker(tmp_path, named):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_999999.db").write_bytes(b"a former run's samples")  # emptied at start
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL", "PROMETHEUS_MULTIPROC_DIR"))
    }
    env.update(DEBUG="1", PORTAL_VAR_DIR=str(tmp_path))
    if named:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
    else:  # gunicorn makes one under the temporary directory
        env["TMPDIR"] = str(tmp_path / "tmp")
        (tmp_path / "tmp").mkdir()
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        if named:
            assert not (multiproc / "counter_999999.db").exists()
        else:
            (multiproc,) = (tmp_path / "tmp").glob("portal-prometheus-*")
        sent = 1
        # until both workers have answered some (the kernel hands each new connection to one of them)
        while len(_pids_with_samples(multiproc) & _workers(server.pid)) < 2 or sent < 20:
            assert _get(port, "/healthz")[0] == 200
            sent += 1
            assert sent < 2000, "one worker answered every request"
        # every scrape, whichever worker answers it, counts every request so far (itself included)
        for scrape in range(1, 7):
            status, text = _get(port, "/metrics")
            assert status == 200
            assert _requests_counted(text) == sent + scrape
        # a worker replaced (killed, then restarted by gunicorn): its requests are still counted
        before = _workers(server.pid)
        os.kill(min(before), signal.SIGKILL)
        deadline = time.time() + 60
        while len(_workers(server.pid)) < 2 or _workers(server.pid) == before:
            assert time.time() < deadline, "gunicorn did not replace the worker"
            time.sleep(0.2)
        status, text = _get(port, "/metrics")
        assert _requests_counted(text) == sent + 7
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not named:  # its own directory goes with it
        assert not multiproc.exists()

"""A real gunicorn serving the portal for the tests that need one (several worker processes, the shipped
./gunicorn.conf.py): a free port, the server started, and a wait until it answers ``/healthz``."""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(
    env: dict[str, str], port: int, *, workers: int = 2, output: IO[Any] | int = subprocess.DEVNULL
) -> subprocess.Popen:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``, its log to ``output``; answers
    ``/healthz`` when this returns (a server that exits or stays silent for 60 s fails the test)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        finally:
            conn.close()
        if server.poll() is not None or time.time() >= deadline:
            server.terminate()
            server.wait(timeout=30)
            raise AssertionError("gunicorn did not start")
        time.sleep(0.2)

"""Helpers shared by the benchmarks. Every benchmark reports ratios against a baseline measured in the
same run on the same machine, never absolute times: the machine is small and noisy.

Run a benchmark with the project's Python, e.g. ``.venv/bin/python bench/notifications_throughput.py``.
They use the configured database (set DATABASE_URL to PostgreSQL for the figures that matter).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def timed(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(name: str, value: float, baseline: float, *, goal: float | None = None) -> bool:
    """Print ``name``: value / baseline as a ratio (and whether it meets ``goal``: ratio ≤ goal)."""
    ratio = value / baseline if baseline else float("inf")
    verdict = ""
    ok = True
    if goal is not None:
        ok = ratio <= goal
        verdict = f"  goal ≤ {goal:g}×: {'OK' if ok else 'MISSED'}"
    print(f"{name}: {value * 1000:.1f} ms vs baseline {baseline * 1000:.1f} ms = {ratio:.2f}×{verdict}")
    return ok


def valgrind_tool(name: str) -> str:
    """The path of ``valgrind`` or ``callgrind_control`` (Debian's ``valgrind`` package), or exit saying so."""
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install valgrind (Debian: apt-get install valgrind)")
    return found


def count_instructions(fn: Callable[[], object], times: int) -> None:
    """Run ``fn`` ``times`` times with callgrind's instrumentation on (this process runs under
    ``valgrind --tool=callgrind --instr-atstart=no``): only those calls are counted.

    The objects made so far (modules, settings, the warm-up's caches) are moved out of the garbage
    collector's sight first, as a gunicorn worker does after loading the application (gunicorn.conf.py,
    ``post_worker_init``): otherwise whether a full collection over all of them falls inside the counted
    calls decides several million instructions a run."""
    import gc

    gc.collect()
    gc.freeze()
    pid = str(os.getpid())
    control = valgrind_tool("callgrind_control")
    subprocess.run([control, "-i", "on", pid], check=True, capture_output=True)
    for _ in range(times):
        fn()
    subprocess.run([control, "-i", "off", pid], check=True, capture_output=True)


def callgrind_count(argv: list[str], out_file: str, what: str, env: dict[str, str] | None = None) -> int:
    """Run ``argv`` under callgrind with instrumentation off until the program switches it on
    (``count_instructions``); the instructions it counted, or exit with callgrind's output.

    The child's string hashes are fixed (``PYTHONHASHSEED=0`` unless set): with random ones the same tree's
    counts moved by more than a million instructions from one process to the next (dict and set layouts
    differ), which is more than the changes compared."""
    env = {**(os.environ if env is None else env)}
    env.setdefault("PYTHONHASHSEED", "0")
    done = subprocess.run(
        [
            valgrind_tool("valgrind"),
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out_file}",
            *argv,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{what}: callgrind failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return int(found.group(1))

"""The work calendar of every year the chinesecalendar package knows."""

from typing import Any

from .seed import known_years, seed_years


def load(stdout: Any) -> None:
    written = seed_years()
    years = known_years()
    stdout.write(f"calendar: {written} dated days for {years[0]}–{years[-1]}")

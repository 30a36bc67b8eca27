"""Bare endpoints for the load benchmark (bench/intake_load.py): the cheapest authenticated DRF write
and read this server can do, measured in the same run as the real endpoints.

Installed and mounted only when ``BENCH_ENDPOINTS=1`` (portal/settings.py, portal/urls.py); never on
in production (``check --deploy`` fails if it is)."""

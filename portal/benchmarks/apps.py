from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "portal.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmark endpoints"

    def ready(self) -> None:
        from django.core import checks

        checks.register(check_not_in_production, checks.Tags.security, deploy=True)


def check_not_in_production(app_configs, **kwargs):
    from django.core import checks

    return [
        checks.Error(
            "BENCH_ENDPOINTS is on: the benchmark endpoints must never run in production.",
            hint="Unset BENCH_ENDPOINTS.",
            id="benchmarks.E001",
        )
    ]

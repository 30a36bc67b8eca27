from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from portal.ops import register_gauges

        from . import rollup  # noqa: F401 - connects the signals that keep the figures rollup true
        from .metrics import supervision_gauges

        register_gauges("supervision", supervision_gauges)

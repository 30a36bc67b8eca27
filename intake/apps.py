from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("事项目录与受理")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from .models import Item

        def record_rows(sender, instance, history_instance, **kwargs):
            # every historical record of an item carries its materials, steps and form fields
            from .services.catalogue_rows import rows_snapshot

            history_instance.catalogue_rows = rows_snapshot(instance)

        pre_create_historical_record.connect(
            record_rows, sender=Item.history.model, dispatch_uid="intake.item_history_rows", weak=False
        )
        self._connect_catalogue_cache()

        from portal.audit import register_reason_labels

        register_reason_labels({"publish": _("发布事项"), "retire": _("停用事项")}, models=[Item])

    @staticmethod
    def _connect_catalogue_cache() -> None:
        """Every write a catalogue reader would see makes the cached catalogue stale (intake/cache.py).

        Receivers, not calls in the services: items are edited through the admin (inlines, import,
        history revert) as well as through services, and a missed call would serve a stale guide."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portal.accounts.models import Department

        from .cache import catalogue_changed
        from .models import FormField, Item, Material, Step, Theme

        def changed(sender, **kwargs):
            catalogue_changed()

        for model in (Item, Material, Step, FormField, Theme, Department):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    changed,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"intake.catalogue_cache.{name}.{model.__name__}",
                )
        for through in (Item.themes.through, Item.co_departments.through):
            m2m_changed.connect(
                changed,
                sender=through,
                weak=False,
                dispatch_uid=f"intake.catalogue_cache.m2m.{through.__name__}",
            )

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

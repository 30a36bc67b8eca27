from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        """The history of a licence says in words why each row was written."""
        from portal.audit import register_reason_labels

        from .models import Licence

        register_reason_labels(
            {
                "issue": _("办件准予许可，签发证照"),
                "revoke": _("许可被撤销，证照作废"),
                "replace": _("换发新证，原证作废"),
                "reissue": _("换发新证"),
            },
            models=[Licence],
        )

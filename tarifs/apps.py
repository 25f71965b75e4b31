from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TarifsConfig(AppConfig):
    name = "tarifs"
    verbose_name = _("Prices")

    def ready(self) -> None:
        from tarifs.exports import register_exports

        register_exports()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TarifsConfig(AppConfig):
    name = "tarifs"
    verbose_name = _("Prices")

    def ready(self) -> None:
        from hebergements.online import register_online_requirement
        from tarifs.exports import register_exports
        from tarifs.selectors import PRICES_AHEAD_REQUIREMENT

        register_exports()
        register_online_requirement(PRICES_AHEAD_REQUIREMENT)

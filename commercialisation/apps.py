from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercialisationConfig(AppConfig):
    name = "commercialisation"
    verbose_name = _("Sales channels")

    def ready(self) -> None:
        from commercialisation.planning import ical_dashboard_alerts, imported_planning_blocks
        from reservations.dashboard import register_alert_source
        from reservations.planning import register_block_source

        register_block_source(imported_planning_blocks)
        register_alert_source(ical_dashboard_alerts)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercialisationConfig(AppConfig):
    name = "commercialisation"
    verbose_name = _("Sales channels")

    def ready(self) -> None:
        from commercialisation.planning import (
            ical_alert_rows,
            ical_dashboard_alerts,
            imported_planning_blocks,
            imported_units_taken,
        )
        from commercialisation.production import dashboard_setup_steps
        from commercialisation.services import (
            conflicts_refresh_for,
            export_touch_for_lodging,
            export_touch_for_stays,
        )
        from hebergements.services import register_lodging_change_listener
        from reservations.availability import register_change_listener, register_external_source
        from reservations.dashboard import register_alert_source, register_setup_source
        from reservations.planning import register_block_source

        register_block_source(imported_planning_blocks)
        register_alert_source(ical_dashboard_alerts, count=ical_alert_rows)
        register_setup_source(dashboard_setup_steps)
        register_external_source(imported_units_taken)
        register_change_listener(conflicts_refresh_for)
        register_change_listener(export_touch_for_stays)  # after the conflicts: same lock order as a sync
        register_lodging_change_listener(export_touch_for_lodging)

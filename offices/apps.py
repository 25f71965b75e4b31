from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    """The tourism office's staff space: its providers, onboarding, production queue, figures."""

    name = "offices"
    verbose_name = _("Tourism office space")

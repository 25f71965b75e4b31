from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercialisationConfig(AppConfig):
    name = "commercialisation"
    verbose_name = _("Sales channels")

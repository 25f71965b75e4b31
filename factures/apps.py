from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacturesConfig(AppConfig):
    name = "factures"
    verbose_name = _("Invoices")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HebergementsConfig(AppConfig):
    name = "hebergements"
    verbose_name = _("Lodgings")

    def provider_created(self, provider) -> None:
        from hebergements.services import provider_defaults_create

        provider_defaults_create(provider=provider)

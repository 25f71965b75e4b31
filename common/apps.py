from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common helpers"

    def ready(self) -> None:
        from django import forms

        import common.lookups  # noqa: F401 - registers ``__any``
        from common.forms import refuse_control_characters, refuse_dates_out_of_range

        # Every text field of every form (ours, the admin's, allauth's) refuses control characters
        # other than newline and tab, with a clear message next to the field: they break exports
        # and documents and are never typed on purpose. Fields with validators of their own
        # (e-mail, URL, slug…) already refuse them.
        if refuse_control_characters not in forms.CharField.default_validators:
            forms.CharField.default_validators = [
                *forms.CharField.default_validators,
                refuse_control_characters,
            ]
        # Every date field takes dates a page may show (0001-01-01 or 9999-12-31 overflow the date
        # arithmetic of the planning and the lists).
        if refuse_dates_out_of_range not in forms.DateField.default_validators:
            forms.DateField.default_validators = [
                *forms.DateField.default_validators,
                refuse_dates_out_of_range,
            ]

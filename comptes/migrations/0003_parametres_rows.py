"""Every existing provider gets its contract, mail and payment settings rows, with the defaults."""

from django.db import migrations


def create_rows(apps, schema_editor):
    Provider = apps.get_model("comptes", "Provider")
    for model_name in ("ContractSettings", "MailSettings", "PaymentSettings"):
        model = apps.get_model("comptes", model_name)
        existing = set(model._base_manager.values_list("provider_id", flat=True))
        model._base_manager.bulk_create(
            model(provider_id=pk)
            for pk in Provider._base_manager.values_list("pk", flat=True)
            if pk not in existing
        )


class Migration(migrations.Migration):
    dependencies = [("comptes", "0002_parametres")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]

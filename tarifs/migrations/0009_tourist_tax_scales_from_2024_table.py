"""The 2025 and 2026 legal limits of the taxe de séjour recomputed from the table published for 2024
(``tarifs/reference.py`` says how): databases seeded by ``0006`` get the corrected rows."""

from django.db import migrations

from tarifs.reference import load_tourist_tax_scales


def reload(apps, schema_editor):
    load_tourist_tax_scales(apps.get_model("tarifs", "TouristTaxLaw"), apps.get_model("tarifs", "TouristTaxBound"))


class Migration(migrations.Migration):
    dependencies = [("tarifs", "0008_nightly_prices_and_group_prices")]

    operations = [migrations.RunPython(reload, migrations.RunPython.noop)]

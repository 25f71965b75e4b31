"""Load the equipment catalogue (families and characteristics of lodgings)."""

from django.db import migrations

from hebergements.reference import load_characteristics


def forwards(apps, schema_editor):
    load_characteristics(
        apps.get_model("hebergements", "CharacteristicFamily"), apps.get_model("hebergements", "Characteristic")
    )


class Migration(migrations.Migration):
    dependencies = [("hebergements", "0003_photos_catalogue_constraints")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

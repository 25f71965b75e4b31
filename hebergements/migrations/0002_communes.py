"""Load the catalogue of French communes (INSEE code, name, postcode, department)."""

from django.db import migrations

from hebergements.reference import load_communes


def forwards(apps, schema_editor):
    load_communes(apps.get_model("hebergements", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("hebergements", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]

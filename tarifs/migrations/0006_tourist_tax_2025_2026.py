"""Seed the legal scale of the taxe de séjour for 2025 and 2026 (figures and sources:
``tarifs/reference.py``: CGCT art. L2333-30 barème légal, the proportional rate 1 %–5 % capped,
art. L3333-1 the additional departmental tax of 10 %)."""

from django.db import migrations

from tarifs.reference import SCALES, load_tourist_tax_scales


def seed(apps, schema_editor):
    load_tourist_tax_scales(apps.get_model("tarifs", "TouristTaxLaw"), apps.get_model("tarifs", "TouristTaxBound"))


def unseed(apps, schema_editor):
    apps.get_model("tarifs", "TouristTaxLaw").objects.filter(year__in=SCALES).delete()


class Migration(migrations.Migration):
    dependencies = [("tarifs", "0005_tourist_tax")]

    operations = [migrations.RunPython(seed, unseed)]

"""Shared set-up of the iCal benchmarks: Django on a throwaway database ``bench_<name>``."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings_test")


@contextmanager
def bench_database():
    """Django set up on ``bench_<database>`` (kept between runs, created and migrated the first time)."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    from hebergements.reference import load_reference_data

    load_reference_data()
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=True)
        teardown_test_environment()


def delete_provider(provider) -> None:
    from commercialisation.models import IcalFeed, ImportedBlock
    from comptes.models import Provider
    from comptes.scoping import scopes_disabled
    from reservations.models import Booking, Client, Stay

    with scopes_disabled():
        for model in (ImportedBlock, IcalFeed, Stay, Booking, Client):
            model.objects.filter(provider=provider).delete()
        Provider.objects.filter(pk=provider.pk).delete()

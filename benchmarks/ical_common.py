"""Shared set-up of the iCal benchmarks: Django on a throw-away database ``bench_<name>``, dropped
at the end."""

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
    """Django set up on a fresh ``bench_<database>``, dropped at the end whatever happens."""
    import django

    django.setup()
    from benchmarks.harness import throwaway_database
    from hebergements.reference import load_reference_data

    with throwaway_database():
        load_reference_data()
        yield


def delete_provider(provider) -> None:
    from commercialisation.models import IcalFeed, ImportedBlock
    from comptes.models import Provider
    from comptes.scoping import scopes_disabled
    from reservations.models import Booking, Client, Stay

    with scopes_disabled():
        for model in (ImportedBlock, IcalFeed, Stay, Booking, Client):
            model.objects.filter(provider=provider).delete()
        Provider.objects.filter(pk=provider.pk).delete()

"""Shared reference catalogues (not provider-owned): French communes.

Loaded by data migrations; the loaders take the model class so that migrations pass their
historical model and tests can reload a catalogue after a transactional test flushed it.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes.csv.gz"


def load_communes(commune_model) -> int:
    """Insert the communes catalogue (Etalab "découpage administratif", MIT) when the table is empty."""
    if commune_model.objects.exists():
        return 0
    with gzip.open(COMMUNES_CSV, "rt", encoding="utf-8", newline="") as handle:
        rows = [
            commune_model(
                insee_code=r["insee_code"], name=r["name"], postcode=r["postcode"], department=r["department"]
            )
            for r in csv.DictReader(handle)
        ]
    commune_model.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def load_reference_data() -> None:
    """Every reference catalogue, with the current models (tests, after a flush)."""
    from hebergements.models import Commune

    load_communes(Commune)

"""Benchmark: the booking file PDF ("Édition pour le client") of the manual's example, 3 pages.

    .venv/bin/python benchmarks/contract_pdf.py [--repeat N]

Page 1 the contract n°136 (Dupont Marie, Petit coin de paradis, 08/06 → 15/06/2024, 400,00 €),
page 2 the lodging's description sheet, page 3 the terms of sale. Uses the database of
``DATABASE_URL`` (migrated: ``make migrate``); everything it creates is rolled back, photos go to a
temporary ``MEDIA_ROOT``. Prints the page count, the size and the times (HTML only, then HTML +
PDF), without and with two lodging photos.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="openpro-bench-media-")

import django  # noqa: E402

django.setup()

from io import BytesIO  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from comptes.models import ContractSettings, ProviderSettings  # noqa: E402
from comptes.scoping import provider_scope, scopes_disabled  # noqa: E402
from reservations.documents.content import contract_html, contract_pdf  # noqa: E402
from tests import factories  # noqa: E402

TERMS = "\n".join(
    f"ARTICLE {n}\nLe client signataire du présent contrat conclu pour une durée déterminée ne pourra en "
    "aucune circonstance se prévaloir d’un quelconque droit au maintien dans les lieux à l’issue du séjour. "
    * 2
    for n in range(1, 9)
)


class Rollback(Exception):
    pass


def measure(function, repeat: int) -> list[float]:
    function()  # warm-up: fonts, templates, translations
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"  {label:28s} median {statistics.median(times):7.1f} ms   min {min(times):7.1f} ms"
        f"   max {max(times):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            with scopes_disabled():
                provider = factories.make_example_provider(number=990_136, email="bench-contract@example.com")
                lodging = factories.make_lodging(
                    provider, lodging_type="gite", registration_number="0912200012345"
                )
                booking = factories.make_example_booking(provider, lodging=lodging)
                ProviderSettings.objects.filter(provider=provider).update(terms_fr=TERMS)
            with provider_scope(provider):
                pdf = contract_pdf(booking=booking, language="fr")
                pages = len(PdfReader(BytesIO(pdf)).pages)
                with CaptureQueriesContext(connection) as queries:
                    contract_html(booking=booking, language="fr")
                print(
                    f"Contract PDF of file n°136 — {pages} pages, {len(pdf) / 1024:.0f} KiB, "
                    f"{len(queries.captured_queries)} SQL statements, {args.repeat} runs"
                )
                report(
                    "HTML only", measure(lambda: contract_html(booking=booking, language="fr"), args.repeat)
                )
                report(
                    "HTML + PDF", measure(lambda: contract_pdf(booking=booking, language="fr"), args.repeat)
                )

                factories.make_photos(lodging, 2)
                ContractSettings.objects.filter(provider=provider).update(show_lodging_images=True)
                pdf = contract_pdf(booking=booking, language="fr")
                pages = len(PdfReader(BytesIO(pdf)).pages)
                print(f"With 2 lodging photos — {pages} pages, {len(pdf) / 1024:.0f} KiB")
                report(
                    "HTML + PDF", measure(lambda: contract_pdf(booking=booking, language="fr"), args.repeat)
                )
            raise Rollback
    except Rollback:
        pass
    finally:
        shutil.rmtree(os.environ["MEDIA_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()

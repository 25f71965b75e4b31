"""Settings of ``benchmarks/ical_export.py``'s server: the production settings, plus the
benchmark-only URL of the ceiling (``benchmarks/urls_ical.py``). Never used outside the benchmark."""

from openpro.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls_ical"

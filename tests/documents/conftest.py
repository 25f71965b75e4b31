"""Fixtures of the documents and mails tests: the manual's example file, Celery run in-process."""

from __future__ import annotations

import re

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def celery_in_process():
    """Tasks run eagerly in these tests, with or without ``REDIS_URL`` (CI sets one). Errors are
    not propagated, as in the project's settings: Celery's eager retries need that."""
    from openpro.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def example_provider(db):
    return factories.make_example_provider()


@pytest.fixture
def example_lodging(example_provider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.make_lodging(example_provider, lodging_type="gite")


@pytest.fixture
def example_booking(example_provider, example_lodging):
    """File n°136, confirmed by hand, nothing paid yet (the manual's "Contrat n°136")."""
    return factories.make_example_booking(example_provider, lodging=example_lodging)


@pytest.fixture
def owner(client, example_provider):
    client.force_login(factories.owner_of(example_provider))
    return client


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as pypdf extracts it, every run of white space (line ends, no-break
    spaces) made one space."""
    from io import BytesIO

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def pdf_pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)

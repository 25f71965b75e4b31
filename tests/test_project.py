"""Project wiring: health check, production settings, migrations, money and date formats."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from openpro.money import format_money, round_money

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_503_when_the_broker_does_not_answer(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def production_env(**overrides) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {"DEBUG": "0", "OPENPRO_TESTING": "", "DJANGO_SETTINGS_MODULE": "openpro.settings"}, **overrides
    )
    return env


def test_production_settings_pass_check_deploy():
    env = production_env(
        SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="openpro.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "",
        "OPENPRO_TESTING": "",
        "DJANGO_SETTINGS_MODULE": "openpro.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_money_is_rounded_half_up_and_formatted_in_french():
    assert round_money(Decimal("87.495")) == Decimal("87.50")
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert format_money(Decimal("1234.56")) == "1\xa0234,56\xa0€"
    assert format_money(Decimal("-62.5")) == "-62,50\xa0€"
    assert format_money(Decimal("1234.5"), "en") == "€1,234.50"
    with pytest.raises(TypeError):
        format_money(12.5)


def test_templates_show_french_dates_and_amounts():
    template = Template("{{ day|date:'SHORT_DATE_FORMAT' }} {{ amount|money }}")
    with translation.override("fr"):
        text = template.render(Context({"day": date(2024, 6, 8), "amount": Decimal("400")}))
    assert text == "08/06/2024 400,00\xa0€"


def test_french_catalogue_is_compiled_and_complete():
    po = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists()
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_demo_data_is_idempotent(db, capsys):
    call_command("demo")
    call_command("demo")
    from comptes.models import Provider
    from comptes.scoping import provider_scope, scopes_disabled
    from hebergements.models import Lodging

    with scopes_disabled():
        provider = Provider.objects.get(number=92750)
    with provider_scope(provider):
        assert sorted(Lodging.objects.values_list("name", flat=True)) == [
            "Gîte La Colline Verte",
            "Petit coin de paradis",
        ]
    assert "dupont.marie@test.com" in capsys.readouterr().out


def test_uploaded_media_is_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.txt").write_text("hello")
    response = client.get("/media/photos/a.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert client.get("/media/../settings.py").status_code in (400, 404)
    assert client.get("/media/photos/missing.jpg").status_code == 404

"""Project wiring: health check, production settings, migrations, money and date formats."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from common.lookups import IntArray
from common.money import format_money, round_money

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_answers_the_container_probe_whatever_the_allowed_hosts(client, db, settings):
    settings.ALLOWED_HOSTS = ["openpro.example.org"]
    assert client.get("/healthz", HTTP_HOST="localhost").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="localhost").status_code == 400


def test_healthz_503_when_the_database_does_not_answer(tmp_path):
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='localhost'); print(r.status_code, r.content.decode())"
    )
    env = production_env(
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="openpro.example.org",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.startswith("503 "), result.stdout + result.stderr
    assert '"database": "error' in result.stdout


def test_production_pages_find_their_hashed_static_files(tmp_path):
    """DEBUG=0 serves static files through their manifest: collectstatic as the image does."""
    env = production_env(
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.pop("REDIS_URL", None)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/accounts/login/', secure=True); print(r.status_code); print(r.content.decode())"
    )
    page = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert page.stdout.startswith("200"), page.stdout[-2000:] + page.stderr[-3000:]
    assert re.search(r"/static/css/app\.[0-9a-f]{12}\.css", page.stdout)


def test_the_cache_never_shares_the_brokers_redis_database():
    from openpro.settings import redis_cache_url

    assert redis_cache_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert redis_cache_url("redis://:secret@redis:6379") == "redis://:secret@redis:6379/1"
    assert redis_cache_url("redis://redis:6379/15") == "redis://redis:6379/0"


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


def test_any_lookup_takes_a_list_or_one_array_literal(lodging):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comptes.scoping import scopes_disabled
    from hebergements.models import Lodging
    from tests import factories

    other = factories.make_lodging(lodging.provider)
    wanted = [lodging.pk, other.pk + 1000]
    with scopes_disabled():
        assert list(Lodging.objects.filter(pk__any=wanted)) == [lodging]
        with CaptureQueriesContext(connection) as queries:
            assert list(Lodging.objects.filter(pk__any=IntArray(wanted))) == [lodging]
            assert list(Lodging.objects.filter(pk__any=IntArray([]))) == []
    assert f"= ANY('{{{lodging.pk},{other.pk + 1000}}}'::bigint[])" in queries[0]["sql"]
    with pytest.raises(ValueError):
        IntArray(["1} OR TRUE --"])


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


def test_demo_data_is_idempotent_and_its_printed_logins_work(client, db, capsys):
    from comptes.models import Membership, Provider, User
    from comptes.scoping import provider_scope, scopes_disabled
    from hebergements.models import Lodging
    from reservations.models import Booking

    call_command("demo")
    call_command("demo")
    output = capsys.readouterr().out
    with scopes_disabled():
        provider = Provider.objects.get(number=92750)
        assert provider.office.name == "Ariège Pyrénées Tourisme"
        assert Membership.objects.filter(office=provider.office, role=Membership.Role.OFFICE_STAFF).exists()
        assert User.objects.filter(is_superuser=True).exists()
    with provider_scope(provider):
        assert sorted(Lodging.objects.values_list("name", flat=True)) == [
            "Gîte La Colline Verte",
            "Petit coin de paradis",
        ]
        assert Booking.objects.count() == 4  # not doubled by the second run
    logins = set(re.findall(r"(\S+@\S+)\s+password: (\S+)", output))
    assert len(logins) == 3
    for email, password in logins:
        assert client.post("/accounts/login/", {"login": email, "password": password}).status_code == 302, (
            email
        )
        client.logout()
    # The guest pages it prints (the marketplace, the provider's site) sell both lodgings in the
    # coming months: a week from a Saturday two months ahead, and the cheapest stay without dates.
    guest_pages = sorted(set(re.findall(r"http://127\.0\.0\.1:8000(/\S+)", output)))
    assert len(guest_pages) == 2
    from django.utils import timezone

    ahead = timezone.localdate() + timedelta(days=60)
    saturday = ahead + timedelta(days=(5 - ahead.weekday()) % 7)
    for path in guest_pages:
        for params in ({"arrivee": saturday.isoformat(), "nuits": 7, "personnes": 2}, {}):
            page = client.get(path, params).content.decode()
            for name in ("Petit coin de paradis", "Gîte La Colline Verte"):
                assert name in page, (path, params, name)
            assert page.count('class="offer-price"') == 2, (path, params)  # both priced, bookable


def test_uploaded_media_is_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.txt").write_text("hello")
    response = client.get("/media/photos/a.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert client.get("/media/../settings.py").status_code in (400, 404)
    assert client.get("/media/photos/missing.jpg").status_code == 404


def test_back_office_pages_carry_a_strict_content_security_policy(owner_client):
    from django.urls import reverse

    response = owner_client.get(reverse("reservations:planning"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["script-src"].startswith("'self'")  # plus a nonce on pages that use one
    assert directives["report-uri"] == "/csp-report/"
    html = response.content.decode()
    assert " style=" not in html.split("<body", 1)[1]  # no inline style attribute under the policy
    assert "<script>" not in html


def test_csp_reports_are_logged_and_answered_without_content(client, caplog):
    import json

    report = {"csp-report": {"document-uri": "http://x/planning/", "violated-directive": "style-src"}}
    with caplog.at_level("WARNING", logger="openpro.csp"):
        response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert "style-src" in caplog.text
    assert client.post("/csp-report/", b"\x00" * 100_000, content_type="application/json").status_code == 204

"""Hostile input on every back-office form and query parameter: never a 500.

Nothing here is listed by hand, so a new page is covered the day it lands: the pages come from the
URL resolver (every ``provider_required`` view, its URL filled with one tenant's object ids), each
page is requested, the fields of its forms are harvested from the HTML, and the query parameters
its view declares to ``common.params`` (``@query_params``) are fuzzed too. Each field gets a few
hostile values picked by its kind — very long strings, NUL and control characters, emoji, negative
and huge numbers, dates 0001-01-01 / 9999-12-31 / 2030-02-30, HTML and script, formula prefixes,
wrong types — and each form is also posted with its fields missing. Every POST runs in a savepoint
rolled back afterwards, so destructive ones (delete, cancel…) always meet fresh fixtures.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from common.params import CHOICE, DATE, FLAG, ID, INT, NEXT, POST_ID, TEXT
from tests import factories
from tests.backoffice import PARAM_IDS, back_office_patterns, url_variants

pytestmark = pytest.mark.django_db

LONG = "Ab" * 6000
TEXTS = [
    LONG,
    "a\x00b",
    "x\x01\x0by",
    "😀 Gîte 🏠",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    ["a", "b"],
]
NUMBERS = ["-1", "-99999999", "99999999999999999999999", "1e309", "NaN", "abc", "1,5e3", "😀"]
DATES = ["0001-01-01", "9999-12-31", "2030-02-30", "abc", "-1", "1" * 40]
CHOICES = ["999999999999", "abc", "-1", "\x00", LONG]
FLAGS = ["on", "\x00", LONG]
GARBAGE_FILE = b"\x00\xff\xfe not an image" * 100
PER_FIELD = 3  # hostile values per field (picked in turn from the field's kind)
GOOD = {DATE: "2030-07-06", INT: "1", TEXT: "Dupont", CHOICE: "normal", FLAG: "1", NEXT: "/planning/"}
GOOD_BY_NAME = {"arrival": "2030-07-06", "departure": "2030-07-13", "debut": "2030-07-01"}
BAD_PARAMS = {
    ID: ["abc", "-1", "99999999999999999999999", "\x00", "1.5"],
    POST_ID: ["abc", "-1", "99999999999999999999999"],
    INT: ["-1", "99999999999999999999999", "abc", "\x00"],
    DATE: ["0001-01-01", "9999-12-31", "2030-02-30", "abc", "\x00"],
    TEXT: [LONG, "\x00", "<script>x</script>", "😀"],
    CHOICE: ["\x00", LONG, "abc"],
    FLAG: ["\x00", LONG],
    NEXT: ["NaN", "//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\\evil", "\x00"],
}


@dataclass
class Field:
    name: str
    kind: str  # text | number | date | select | checkbox | file | hidden
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    method: str
    action: str
    multipart: bool
    htmx_target: str = ""  # an htmx form: the id its answer replaces
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted({f.name for f in self.fields})))

    def data(self) -> dict:
        values: dict = {}
        for item in self.fields:
            if item.kind == "checkbox":
                if item.value:
                    values.setdefault(item.name, []).append(item.value)
            elif item.kind != "file":
                values.setdefault(item.name, []).append(item.value)
        if self.buttons:
            name, value = self.buttons[0]
            values.setdefault(name, []).append(value)
        return values


class FormHarvester(HTMLParser):
    """The forms of a page: method, action (or ``hx-post``), fields with their current values."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.page
            method = "post" if attrs.get("hx-post") else (attrs.get("method") or "get").lower()
            self.form = Form(self.page, method, action, attrs.get("enctype") == "multipart/form-data")
            if attrs.get("hx-post"):
                self.form.htmx_target = (attrs.get("hx-target") or "").lstrip("#") or "this"
            self.forms.append(self.form)
            return
        if self.form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image"):
                self.form.buttons.append((name, attrs.get("value") or ""))
                return
            if kind in ("checkbox", "radio"):
                checked = "checked" in attrs
                self.form.fields.append(Field(name, "checkbox", attrs.get("value", "on") if checked else ""))
                return
            mode = attrs.get("inputmode", "")
            if kind == "number" or mode in ("numeric", "decimal"):
                kind = "number"
            elif kind not in ("date", "file", "hidden"):
                kind = "text"
            self.form.fields.append(Field(name, kind, attrs.get("value") or ""))
        elif tag == "button" and (attrs.get("type") or "submit") == "submit":
            self.form.buttons.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self.select = Field(name, "select")
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select.options.append(value)
            if "selected" in attrs or not self.select.value:
                self.select.value = value
        elif tag == "textarea":
            self.textarea = Field(name, "text")
            self.form.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def hostile_values(item: Field, seed: int) -> list:
    pool = {
        "number": NUMBERS,
        "date": DATES,
        "select": CHOICES,
        "checkbox": FLAGS,
        "hidden": TEXTS[:3] + NUMBERS[:3] + DATES[:2],
    }.get(item.kind, TEXTS + NUMBERS[:2] + DATES[:2])
    start = seed % len(pool)
    return list(itertools.islice(itertools.cycle(pool), start, start + PER_FIELD))


def good_params(declared: dict, objects: dict) -> dict:
    return {
        name: PARAM_IDS[name](objects)
        if kind in (ID, POST_ID)
        else GOOD_BY_NAME.get(name, GOOD.get(kind, "1"))
        for name, kind in declared.items()
        if kind != POST_ID and (kind != ID or name in PARAM_IDS)
    }


# Pages outside the back office, asked logged out.
PUBLIC_PAGES = ["account_login", "account_reset_password"]


def pages(objects):
    """(name, url, declared parameters) of every back-office page, for each object in another state
    (a cancelled file, a failed mail…) too."""
    for name, pattern in back_office_patterns():
        for url in url_variants(name, pattern, objects):
            yield name, url, getattr(pattern.callback, "query_params", {})


def public_pages():
    from django.urls import reverse

    for name in PUBLIC_PAGES:
        yield name, reverse(name), {}


def _skipped(form: Form) -> bool:
    """Logging out takes no input and would end the session of the rest of the run."""
    from django.urls import reverse

    return urlsplit(form.action).path == reverse("account_logout")


def forms_of(response, page: str) -> list[Form]:
    if response.streaming:
        response.getvalue()
        return []
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    parser = FormHarvester(page)
    parser.feed(response.content.decode())
    return [form for form in parser.forms if (form.fields or form.buttons) and not _skipped(form)]


def harvest(client, url: str, declared: dict, objects: dict, depth: int = 2) -> list[Form]:
    """The forms of the page, and those its forms answer with when posted as they are, ``depth``
    steps down (the next steps of a multi-step form, a preview to confirm…)."""
    forms = []
    for query in ({}, good_params(declared, objects)):
        target = f"{url}?{urlencode(query)}" if query else url
        forms.extend(forms_of(client.get(target), target))
    seen = {form.key for form in forms}
    level = [form for form in forms if form.method == "post"]
    for _step in range(depth):
        found = []
        for form in level:
            for answer in forms_of(send(client, form, form.data()), form.action):
                if answer.key not in seen:
                    seen.add(answer.key)
                    found.append(answer)
        forms.extend(found)
        level = [form for form in found if form.method == "post"]
    return forms


class Failures(list):
    def check(self, response, what: str) -> None:
        if response.streaming:
            response.getvalue()
        if response.status_code >= 500:
            self.append(f"{response.status_code} {what}")


def send(client, form: Form, data: dict, files: dict | None = None):
    if form.method == "get":
        return client.get(form.action, data)
    payload = {**data, **(files or {})}
    headers = {"HX-Request": "true", "HX-Target": form.htmx_target} if form.htmx_target else {}
    with transaction.atomic():
        response = client.post(form.action, payload, headers=headers)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def tenant(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.make_rich_tenant()


@pytest.fixture
def hostile_client(client, tenant):
    client.raise_request_exception = False
    client.force_login(factories.owner_of(tenant["provider"]))
    return client


CHUNKS = 6


def chunk_of(name: str) -> int:
    return zlib.crc32(name.encode()) % CHUNKS


def fuzz(client, tenant, targets, failures: Failures) -> None:
    seen_forms: set = set()
    for name, url, declared in targets:
        # Query parameters declared to common.params.
        base = good_params(declared, tenant)
        for param, kind in declared.items():
            for value in BAD_PARAMS[kind]:
                if kind == POST_ID:
                    with transaction.atomic():
                        response = client.post(url, {param: value, "sync": "1", "remove": "1"})
                        transaction.set_rollback(True)
                else:
                    response = client.get(url, {**base, param: value})
                failures.check(response, f"{name} {param}={value[:30]!r}")
        # The fields of every form of the page.
        for form in harvest(client, url, declared, tenant):
            if form.key in seen_forms:
                continue
            seen_forms.add(form.key)
            good = form.data()
            failures.check(send(client, form, {}), f"{name}: {form.action} with its fields missing")
            for index, item in enumerate(form.fields):
                if item.kind == "file":
                    upload = SimpleUploadedFile("x.jpg", GARBAGE_FILE, content_type="image/jpeg")
                    failures.check(send(client, form, good, {item.name: upload}), f"{name} file")
                    continue
                for value in hostile_values(item, index):
                    data = {**good, item.name: value}
                    response = send(client, form, data)
                    what = f"{name}: {form.method} {form.action} {item.name}={str(value)[:30]!r}"
                    failures.check(response, what)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_hostile_value_gets_a_server_error(hostile_client, tenant, chunk):
    failures = Failures()
    fuzz(hostile_client, tenant, [page for page in pages(tenant) if chunk_of(page[0]) == chunk], failures)
    assert failures == [], "\n".join(failures[:60])


def test_no_hostile_value_gets_a_server_error_on_the_login_pages(client, tenant):
    client.raise_request_exception = False
    failures = Failures()
    fuzz(client, tenant, list(public_pages()), failures)
    assert failures == [], "\n".join(failures[:60])


def test_the_fuzzing_covers_every_form_and_parameter(hostile_client, tenant):
    """At least the 80 forms and 72 parameters the issue counted, found without being listed."""
    forms: set = set()
    parameters: set = set()
    anonymous = type(hostile_client)()
    targets = [(hostile_client, page) for page in pages(tenant)]
    targets += [(anonymous, page) for page in public_pages()]
    for client, (name, url, declared) in targets:
        parameters.update((name, param) for param in declared)
        for form in harvest(client, url, declared, tenant):
            forms.add(form.key)
            if form.method == "get":  # a search form: its fields are query parameters
                parameters.update((urlsplit(form.action).path, item.name) for item in form.fields)
    assert len(forms) >= 80, len(forms)
    assert len(parameters) >= 72, len(parameters)

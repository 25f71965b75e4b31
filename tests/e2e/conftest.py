"""Browser tests: Playwright (Python) driving Debian's Chromium, headless, against a live server.

Every browser test runs on its own fixed day, ``TODAY`` (a Saturday), whatever the day it runs: the
server's clock (time-machine, which the live server's thread sees too, ticking from 10:00 Paris
time) and the browser's (Playwright's clock, ``new Date()`` in the page) both start there. Dates of
the tests are written from it with ``day(offset)``.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are still
# plain synchronous code, so Django's async-safety guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


TODAY = date(2030, 6, 15)
NOW = datetime(2030, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def day(offset: int) -> date:
    """``TODAY`` + ``offset`` days."""
    return TODAY + timedelta(days=offset)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestsInFlight:
    """Requests the live server is still handling. A page load triggers more requests (the alert
    badge of the top bar…) that the server may still be answering when the test ends: the flush of
    the test database must wait for them, or it races them for the tables' locks."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_none(self, timeout: float = 10.0) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout=timeout)


@pytest.fixture(scope="session")
def requests_in_flight():
    from django.core.signals import request_finished, request_started

    counter = RequestsInFlight()
    request_started.connect(counter.started, dispatch_uid="e2e-requests-in-flight")
    request_finished.connect(counter.finished, dispatch_uid="e2e-requests-in-flight")
    yield counter
    request_started.disconnect(dispatch_uid="e2e-requests-in-flight")
    request_finished.disconnect(dispatch_uid="e2e-requests-in-flight")


@pytest.fixture(autouse=True)
def clock():
    """The server side of the test runs on ``TODAY`` (the clock ticks from ``NOW``)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


CSP_VIOLATION = re.compile(r"Content Security Policy|Content-Security-Policy", re.IGNORECASE)

AXE_IMPACTS = ("serious", "critical")


class AxeWatch:
    """axe-core on every page a browser test visits. Each page load of the site is noted (its
    address and the width it was seen at); at the end of a passing test, the state every open page
    is in is checked (htmx swaps, dialogs, forms with errors), then every address noted is loaded
    again at its width and checked. A serious or critical violation fails the test, like a CSP
    violation, so a new page gets the check without asking for it. Nothing runs while the test
    drives the browser: the checks never race the test's own clicks."""

    MAX_REVISITS = 15

    def __init__(self, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.base_url = base_url
        self.visited: dict[tuple[str, int], None] = {}
        self.checked: set[tuple[str, int]] = set()
        self.violations: list[str] = []

    def watch(self, page) -> None:
        page.on("load", lambda loaded: self.note(loaded))

    def note(self, page) -> None:
        url = page.url
        if url.startswith(self.base_url):
            self.visited[(url, (page.viewport_size or {}).get("width", 0))] = None

    def check(self, page, *, where: str = "") -> None:
        from playwright.sync_api import Error

        url = page.url
        if page.is_closed() or not url.startswith(self.base_url):
            return
        width = (page.viewport_size or {}).get("width", 0)
        try:
            if page.evaluate("document.contentType") != "text/html":
                return
            result = self.axe.run(page)
        except Error as error:
            self.violations.append(f"{url} at {width}px{where}: axe-core could not run ({error})")
            return
        self.checked.add((url, width))
        for violation in result.response["violations"]:
            if violation["impact"] in AXE_IMPACTS:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.violations.append(
                    f"{url} at {width}px{where}: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} — {targets}"
                )

    def check_all(self, contexts) -> None:
        """The end of a passing test: the open pages as they are, then the addresses visited."""
        for context in contexts:
            for open_page in list(context.pages):
                self.check(open_page, where=" (end of the test)")
        revisits = [key for key in self.visited if key not in self.checked][: self.MAX_REVISITS]
        if not revisits or not contexts:
            return
        page = contexts[-1].new_page()
        for url, width in revisits:
            if width:
                page.set_viewport_size({"width": width, "height": 900})
            try:
                page.goto(url)
            except Exception as error:  # noqa: BLE001 - reported, not raised: the test itself passed
                self.violations.append(f"{url}: could not be loaded again for axe-core ({error})")
                continue
            self.check(page, where=" (visited during the test)")


@pytest.fixture
def new_context(browser, clock, requests_in_flight, request, live_server):
    """Open browser contexts (French, Paris time, the browser's clock on ``TODAY`` too), closed
    at the end of the test, once the live server has answered their last requests. Every page runs
    under the site's Content-Security-Policy: a violation in the console fails the test. Every page
    of the site visited is checked with axe-core (``AxeWatch``): a serious or critical violation
    fails the test too."""
    contexts = []
    violations: list[str] = []
    axe = AxeWatch(live_server.url)

    def open_context(**options):
        context = browser.new_context(**{"locale": "fr-FR", "timezone_id": "Europe/Paris", **options})
        context.set_default_timeout(10_000)
        context.clock.set_system_time(datetime.now(tz=NOW.tzinfo))
        context.on(
            "console",
            lambda message: (
                violations.append(f"{message.page.url if message.page else ''}: {message.text}")
                if CSP_VIOLATION.search(message.text)
                else None
            ),
        )
        context.on("page", axe.watch)
        contexts.append(context)
        return context

    yield open_context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed:
        axe.check_all(contexts)
    for context in contexts:
        context.close()
    requests_in_flight.wait_until_none()
    if violations and not request.node.get_closest_marker("csp_violations_expected"):
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations[:20]))
    if axe.violations:
        pytest.fail("Serious or critical axe-core violations:\n" + "\n".join(dict.fromkeys(axe.violations)))


@pytest.fixture
def page(new_context, live_server, request):
    """A fresh browser context per test (desktop size); a screenshot is kept when the test fails."""
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def login(page, live_server):
    """Log in through the real login page (the tests of logging in)."""

    def do_login(email: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Connexion").click()

    return do_login


@pytest.fixture
def signed_in(page, live_server):
    """``signed_in(email, context=page.context)``: the browser holds the session of that user, as
    after logging in (a session opened by Django's test client). For the tests that are not about
    logging in; the next ``goto`` is a logged-in page."""

    def sign_in(email: str, context=None):
        from django.conf import settings
        from django.test import Client

        from comptes.models import User

        client = Client()
        client.force_login(User.objects.get(email=email))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        (context or page.context).add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in

"""Booking engines on the owner's own site (issue 15): a page of another **site** embeds the search
widget by its one script tag and a guest books through the iframe, with third-party cookies
blocked — a control page shows that a framed page of the app's site cannot keep a cookie in that
browser, while it can in one that allows them. The iframe grows to fit each step. Every widget and
the "Moteurs de réservation" page pass axe-core at 1366 px and 375 px (the widgets at 280 px too).

The app (live server) answers on ``http://localhost:PORT``; the owner's site is a tiny
``http.server`` on ``http://127.0.0.1:PORT2``: another host, so another site (another port alone
would be the same site and cookies would still flow).
"""

from __future__ import annotations

import functools
import http.server
import json
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from comptes.scoping import scopes_disabled
from reservations.models import Booking
from tests import factories
from tests.e2e.axe_checks import accessible
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, CSP_VIOLATION, NOW, day

ARRIVAL = day(21)  # Saturday 6 July 2030
PROBE = """<!doctype html><html lang="fr"><title>probe</title><script>
document.cookie = "probe=1; SameSite=None; Secure; Path=/";
parent.postMessage({probe: document.cookie.indexOf("probe=1") >= 0 ? "kept" : "refused"}, "*");
</script></html>"""


def serve(directory: Path, host: str) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def owner_site(live_server, tmp_path):
    """``page(name, body)`` writes a page of the owner's own site (127.0.0.1, another site than the
    app's localhost) and returns its address; ``probe_url`` is a page of the app's site (localhost,
    another port) that tries to keep a cookie when framed."""
    app = urlsplit(live_server.url)
    assert app.hostname == "localhost"
    site_dir, probe_dir = tmp_path / "site", tmp_path / "probe"
    site_dir.mkdir()
    probe_dir.mkdir()
    (probe_dir / "probe.html").write_text(PROBE)
    site = serve(site_dir, "127.0.0.1")
    probe = serve(probe_dir, "localhost")

    class Site:
        probe_url = f"http://localhost:{probe.server_address[1]}/probe.html"

        @staticmethod
        def page(name: str, body: str) -> str:
            (site_dir / name).write_text(
                f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Gîtes Dupont</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
                f"<body><h1>Nos gîtes</h1>{body}</body></html>"
            )
            return f"http://127.0.0.1:{site.server_address[1]}/{name}"

    yield Site
    for server in (site, probe):
        server.shutdown()
        server.server_close()


@pytest.fixture
def cookie_browser(browser, clock, requests_in_flight, request):
    """``cookie_browser(third_party_cookies=False)``: a page of a browser profile of its own whose
    cookie setting is explicit (Chromium's "block third-party cookies", or "allow all cookies"),
    on the tests' day, failing the test on a Content-Security-Policy violation."""
    contexts = []
    violations: list[str] = []

    def open_page(*, third_party_cookies: bool, width: int = 1280):
        profile = Path(tempfile.mkdtemp(prefix="openpro-profile-"))
        (profile / "Default").mkdir()
        # 1: block third-party cookies (Chromium's setting, as a user sets it); 0: allow them all.
        mode = 0 if third_party_cookies else 1
        (profile / "Default" / "Preferences").write_text(
            json.dumps({"profile": {"cookie_controls_mode": mode, "block_third_party_cookies": mode == 1}})
        )
        args = [*CHROMIUM_ARGS, *([] if third_party_cookies else ["--test-third-party-cookie-phaseout"])]
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=args,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": width, "height": 900},
        )
        context.set_default_timeout(10_000)
        context.clock.set_system_time(NOW)
        context.on(
            "console",
            lambda message: violations.append(message.text) if CSP_VIOLATION.search(message.text) else None,
        )
        contexts.append(context)
        return context.pages[0] if context.pages else context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    requests_in_flight.wait_until_none()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations[:20]))


def control(page, owner_site) -> str:
    """What the framed probe of the app's site says of its cookie: kept or refused."""
    url = owner_site.page(
        "control.html",
        f'<p id="probe">waiting</p><iframe src="{owner_site.probe_url}" title="probe"></iframe>'
        "<script>addEventListener('message', function (e) {"
        " document.getElementById('probe').textContent = e.data.probe; });</script>",
    )
    page.goto(url)
    expect(page.locator("#probe")).not_to_have_text("waiting")
    return page.locator("#probe").inner_text()


@pytest.fixture
def seller(transactional_db):
    office = factories.make_office(slug="ariege")
    provider = factories.make_seller(office, number=92750, email="dupont.marie@test.com")
    lodging = factories.make_priced_lodging(provider)
    factories.make_priced_lodging(provider, name="Gîte La Colline Verte", price="560.00", capacity_max=6)
    factories.offer_supplement(lodging, "Ménage", "50.00", label_en="Cleaning")
    return office, provider, lodging


def frame_height(page) -> float:
    return page.locator("iframe").first.evaluate("frame => frame.getBoundingClientRect().height")


def test_a_guest_books_through_the_search_widget_on_another_site_with_third_party_cookies_blocked(
    cookie_browser, live_server, owner_site, seller
):
    office, provider, lodging = seller
    # The control: in a browser allowing third-party cookies the framed probe keeps its cookie;
    # in the browser of the test, which blocks them, it cannot.
    assert control(cookie_browser(third_party_cookies=True), owner_site) == "kept"
    page = cookie_browser(third_party_cookies=False)
    assert control(page, owner_site) == "refused"

    widget_url = f"{live_server.url}/fr/widget/site/{provider.number}/?couleur=1a7f5a"
    host = owner_site.page(
        "reserver.html",
        f'<p>Réservez en ligne :</p><script src="{live_server.url}/static/js/openpro-widget.js" '
        f'data-openpro-widget="{widget_url}" async></script><p id="after">Merci de votre visite.</p>',
    )
    page.goto(host)
    frame_element = page.locator("iframe[title='Réservation en ligne']")
    expect(frame_element).to_have_count(1)
    frame = page.frame_locator("iframe[title='Réservation en ligne']")
    expect(frame.get_by_role("heading", level=1)).to_contain_text("Locations de vacances")

    heights = []

    def settled_height() -> float:
        """Once the frame's height equals the height of the page inside it: that height (and the
        page inside does not scroll)."""
        inner = frame_element.element_handle().content_frame()
        inner.wait_for_load_state()
        page.wait_for_function(
            "expected => Math.abs(document.querySelector('iframe').getBoundingClientRect().height"
            " - expected) <= 2",
            arg=inner.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)"),
        )
        height = frame_height(page)
        assert inner.evaluate("document.documentElement.scrollHeight") <= height + 2
        heights.append(height)
        return height

    settled_height()
    frame.get_by_label("Arrivée").fill(ARRIVAL.isoformat())
    frame.get_by_label("Nuits").fill("7")
    frame.get_by_role("button", name="Rechercher").click()
    expect(frame.locator("#results-title")).to_contain_text("2 hébergements libres")
    settled_height()

    frame.get_by_role("link", name="Petit coin de paradis").first.click()
    expect(frame.locator(".durations")).to_contain_text("7 nuits")
    settled_height()
    frame.get_by_role("button", name="Réserver").click()

    expect(frame.locator(".journey-steps [aria-current=step]")).to_have_text("Séjour")
    settled_height()
    frame.get_by_label("Adulte", exact=False).first.fill("2")
    frame.get_by_role("button", name="Continuer").click()
    frame.get_by_label("Ménage").select_option("1")
    expect(frame.locator("#total")).to_contain_text("400,00")
    settled_height()
    frame.get_by_role("button", name="Continuer").click()

    for label, value in (
        ("Nom", "Martin"),
        ("Prénom", "Claire"),
        ("Adresse", "3 rue des Lilas"),
        ("Code postal", "31000"),
        ("Ville", "Toulouse"),
        ("Téléphone", "06 12 34 56 78"),
        ("E-mail", "claire@example.com"),
    ):
        frame.get_by_label(label, exact=True).fill(value)
    details_height = settled_height()
    frame.get_by_role("button", name="Continuer").click()
    expect(frame.locator("#total")).to_contain_text("400,00")
    settled_height()
    frame.get_by_label("J'ai lu et j'accepte les conditions générales de vente").check()
    frame.get_by_role("button", name="Envoyer ma pré-réservation").click()
    expect(frame.get_by_role("heading", level=2)).to_contain_text("a été envoyée")
    settled_height()
    # The frame followed every step (its initial height was 480 px): taller for the details form,
    # shorter for the confirmation.
    assert len(set(heights)) >= 4 and 480 not in heights, heights
    assert heights[-1] < details_height and max(heights) == details_height, heights
    # Only the app's origin may size the frame: the frame sent to a page of another origin that
    # posts a height is not resized.
    fake = owner_site.page(
        "fake.html",
        "<script>parent.postMessage({type: 'openpro-widget:height', height: 40}, '*');"
        "document.title = 'posted';</script>",
    )
    before = frame_height(page)
    frame_element.evaluate("(frame, url) => { frame.src = url; }", fake)
    expect(frame.locator("h1")).to_have_text("Nos gîtes")
    page.wait_for_timeout(500)
    assert frame_height(page) == before
    # Nothing of the journey needed a cookie, and none was kept for the app's site.
    assert not [c for c in page.context.cookies() if c["domain"] in ("localhost", "127.0.0.1")]

    with scopes_disabled():
        booking = Booking.objects.get()
    assert (booking.origin, booking.total_amount) == ("widget", Decimal("400.00"))


def test_each_widget_and_the_moteurs_page_are_accessible(page, live_server, seller, signed_in):
    office, provider, lodging = seller
    number = provider.number
    widgets = {
        "search widget": f"/fr/widget/site/{number}/?arrivee={ARRIVAL.isoformat()}&nuits=7",
        "planning widget": f"/en/widget/site/{number}/planning/?debut={ARRIVAL.isoformat()}&couleur=ffcc00",
        "lodging widget": f"/fr/widget/site/{number}/hebergement/{lodging.pk}/?arrivee={ARRIVAL.isoformat()}",
        "office widget": f"/en/widget/marche/{office.slug}/?couleur=e63946",
    }
    for where, path in widgets.items():
        page.goto(live_server.url + path)
        accessible(page, where, page, widths=((1366, 900), (375, 740), (280, 640)))
    # The owner's colour is the buttons' (a stylesheet of its own, no inline style).
    page.goto(f"{live_server.url}/fr/widget/site/{number}/?couleur=e63946")
    expect(page.get_by_role("button", name="Rechercher")).to_have_css("background-color", "rgb(207, 51, 63)")

    signed_in(provider.email)
    page.goto(f"{live_server.url}/moteurs-de-reservation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moteurs de réservation")
    # The live previews are the widgets themselves, inserted by the embed script and sized to fit.
    previews = page.locator(".widget-preview iframe")
    expect(previews).to_have_count(3)
    expect(previews.first).to_have_attribute("src", f"{live_server.url}/fr/widget/site/{number}/")
    accessible(page, "Moteurs de réservation", page)

    # The options change the snippets (and the previews) at once.
    page.get_by_label("Couleur principale").fill("#1a7f5a")
    page.get_by_label("Langue").select_option("en")
    expect(page.locator("#code-search-script")).to_have_value(
        f'<script src="{live_server.url}/static/js/openpro-widget.js" '
        f'data-openpro-widget="{live_server.url}/en/widget/site/{number}/?couleur=1a7f5a" '
        f'data-openpro-title="Réservation en ligne" async></script>'
    )
    expect(page.locator(".widget-preview iframe").first).to_have_attribute(
        "src", f"{live_server.url}/en/widget/site/{number}/?couleur=1a7f5a"
    )
    # A wrong colour: the message next to the field.
    page.get_by_label("Couleur principale").fill("vert")
    page.get_by_label("Couleur principale").press("Tab")
    expect(page.locator("#id_couleur_error")).to_have_text(
        "Saisissez une couleur au format #rrggbb (par exemple #1f6f8b)."
    )
    # Copy the code: the button says so.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("[data-copy='code-planning-script']").click()
    expect(page.locator("[data-copy='code-planning-script']")).to_have_text("Copié !")

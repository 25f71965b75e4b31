"""The browser tests run on their own day (``tests/e2e/conftest.py``): the server and the page both
say it is ``TODAY``, whatever the day the suite runs."""

from playwright.sync_api import expect

from tests.e2e.conftest import TODAY
from tests.factories import make_provider


def test_the_server_and_the_browser_are_on_the_fixture_day(page, live_server, signed_in, transactional_db):
    make_provider(number=92750, email="dupont.marie@test.com")
    signed_in("dupont.marie@test.com")
    page.goto(f"{live_server.url}/arrivees/")  # today's arrivals by default
    expect(page.get_by_test_id("moves-day")).to_contain_text("samedi 15 juin 2030")
    browser_today = page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Paris'})")
    assert browser_today == TODAY.isoformat()

"""Background work off the request, shared rate limits, broker and cache failures that degrade
(issue 12, items 7, 8, 10, 11, 12), with real processes: gunicorn, a Celery worker with its beat,
a broker and an SMTP server of the test's own. The dispatchers run every second here
(``OPENPRO_DISPATCH_INTERVAL``) instead of every minute, and the first retry comes after 1 s."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings
from django.urls import reverse

from commercialisation.models import IcalFeed
from comptes.models import OutgoingMail, OutgoingMailAttempt
from comptes.scoping import scopes_disabled
from hebergements.models import Lodging
from tests import factories
from tests.commercialisation import feeds
from tests.commercialisation.feedserver import FeedServer, trickle_body
from tests.resilience.conftest import Browser, RecordingSMTP, wait_for

pytestmark = pytest.mark.resilience


@pytest.fixture
def booking(stack):
    provider = factories.make_example_provider()
    lodging = factories.make_lodging(provider, lodging_type="gite")
    booking = factories.make_example_booking(provider, lodging=lodging)
    # The application's processes check passwords with the real hashers (the suite uses MD5).
    owner = factories.owner_of(provider)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        owner.set_password(factories.PASSWORD)
    owner.save(update_fields=["password"])
    return booking


def owner_email(booking) -> str:
    return factories.owner_of(booking.provider).email


def mails() -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.order_by("pk"))


def attempts(mail: OutgoingMail) -> list[OutgoingMailAttempt]:
    with scopes_disabled():
        return list(OutgoingMailAttempt.objects.filter(mail=mail).order_by("number"))


def send_by_mail(browser: Browser, booking) -> tuple[int, str, str]:
    """ "Envoyer par mail" on the file's documents page, as the owner's browser does."""
    page = reverse("reservations:booking_documents", kwargs={"booking_pk": booking.pk})
    action = reverse("reservations:booking_send", kwargs={"booking_pk": booking.pk})
    return browser.post_form(page, action, {"language": "fr"}, follow=False)


def all_sent() -> list[OutgoingMail]:
    current = mails()
    return current if current and all(mail.status == OutgoingMail.Status.SENT for mail in current) else []


def test_without_redis_the_request_only_queues_and_the_worker_delivers_once_smtp_opens(stack, booking):
    """(a) No REDIS_URL, SMTP closed: the owner's request opens no SMTP connection (it only
    records the mail and drops a message in the filesystem broker); the worker tries, retries, and
    delivers the mail once when the SMTP server opens."""
    closed = stack.smtp_closed()
    stack.gunicorn()
    browser = Browser(stack.base_url)
    _status, url, body = browser.login(owner_email(booking), factories.PASSWORD)
    assert not url.endswith("/accounts/login/"), body

    started = time.monotonic()
    status, _url, _body = send_by_mail(browser, booking)
    elapsed = time.monotonic() - started

    assert status == 302  # "recorded and being sent", back to the file
    assert closed.connections == []  # not one SMTP connection during the request
    assert elapsed < 10
    print(f"Envoyer par mail with SMTP closed answered in {elapsed:.2f} s")  # noqa: T201
    [mail] = mails()
    assert mail.status == OutgoingMail.Status.QUEUED and attempts(mail) == []
    assert list((stack.tmp / "celery" / "queue").iterdir())  # handed to the broker's folder

    stack.worker()

    def failed_attempts():  # finished ones (another may be running right now)
        return [attempt for attempt in attempts(mail) if attempt.finished_at and not attempt.succeeded]

    wait_for(lambda: len(failed_attempts()) >= 2, timeout=60, what="two failed attempts\n" + stack.logs())
    assert len(closed.connections) >= 2  # the worker did try the server, twice at least
    closed.stop()

    smtp = stack.smtp_open()
    [sent] = wait_for(all_sent, timeout=60, what="the mail delivered\n" + stack.logs())
    time.sleep(3 * 1.0)  # a few more dispatcher runs: nothing is sent again
    assert smtp.message_ids() == [sent.message_id]
    assert [attempt.succeeded for attempt in attempts(sent)][-1] is True
    assert sum(attempt.succeeded for attempt in attempts(sent)) == 1


def test_without_redis_three_gunicorn_workers_share_the_login_limit(stack, booking):
    """(b) No Redis, 3 gunicorn workers: the database cache holds allauth's counters for all of
    them, so after 5 wrong passwords even the right one is refused, whichever worker answers."""
    stack.gunicorn(workers=3)
    email = owner_email(booking)

    def attempt(password: str) -> tuple[int, str, str]:
        return Browser(stack.base_url).login(email, password)

    with ThreadPoolExecutor(max_workers=5) as pool:  # concurrent: spread over the workers
        wrong = list(pool.map(attempt, ["wrong-password"] * 5))
    assert all(url.endswith("/accounts/login/") for _status, url, _body in wrong)

    with ThreadPoolExecutor(max_workers=6) as pool:
        right = list(pool.map(attempt, [factories.PASSWORD] * 6))
    # Refused: still on the login page (a session would have led to the dashboard).
    assert [url.endswith("/accounts/login/") for _status, url, _body in right] == [True] * 6
    answered_by = set(stack.access_pids("/accounts/login/"))
    assert len(answered_by) >= 2, stack.logs()  # more than one worker answered
    print(f"Login limit held over {len(answered_by)} gunicorn workers")  # noqa: T201


def test_redis_down_login_and_send_by_mail_work_and_the_mail_goes_when_redis_returns(stack, booking):
    """(c) A Redis of the test's own, killed: login succeeds (the cache falls back to the
    database), "Envoyer par mail" answers success (the mail is saved; the failed enqueue is only
    logged). Redis back: the dispatcher delivers the mail within two minutes, once."""
    redis = stack.redis()
    smtp = stack.smtp_open()
    stack.gunicorn()
    worker = stack.worker()
    port = int(stack.redis_url.rsplit(":", 1)[1].split("/")[0])

    redis.kill()
    browser = Browser(stack.base_url)
    status, url, _body = browser.login(owner_email(booking), factories.PASSWORD)
    assert status == 200 and not url.endswith("/accounts/login/"), stack.logs()

    started = time.monotonic()
    status, _url, _body = send_by_mail(browser, booking)
    elapsed = time.monotonic() - started
    assert status == 302, stack.logs()
    assert elapsed < 5  # the broker that is down fails fast
    print(f"Envoyer par mail with Redis down answered in {elapsed:.2f} s")  # noqa: T201
    page = reverse("reservations:booking_documents", kwargs={"booking_pk": booking.pk})
    status, _url, body = browser.request(page)
    assert status == 200
    assert "mail-queued" in body  # the saved mail, shown as waiting
    [mail] = mails()
    assert mail.status == OutgoingMail.Status.QUEUED
    web_log = "".join(p.output() for p in stack.processes if p.name == "gunicorn")
    assert "Redis cache unavailable" in web_log  # the login limits used the database cache
    assert "Could not enqueue comptes.mail_send" in web_log

    time.sleep(2)
    assert smtp.accepted == []  # nothing goes while the broker is down
    back = time.monotonic()
    stack.redis(port=port)
    [sent] = wait_for(all_sent, timeout=120, interval=0.5, what="the mail delivered\n" + stack.logs())
    delay = time.monotonic() - back
    time.sleep(3)
    assert smtp.message_ids() == [sent.message_id]  # once
    assert delay < 120
    print(f"Redis back → mail delivered in {delay:.1f} s")  # noqa: T201
    assert worker.popen.poll() is None


def test_a_worker_killed_during_an_smtp_conversation_every_mail_goes_once(stack, booking, client):
    """(d) The worker is SIGKILLed while the SMTP server stalls on the messages its two threads
    are sending: after a restart every queued mail is delivered, each exactly once (the ones in
    flight were never accepted, so even they are not repeated here), a retried mail keeps its
    Message-ID, and the history shows the interrupted attempts."""
    stack.extra_env["OPENPRO_MAIL_LEASE_SECONDS"] = "8"
    stack.extra_env["EMAIL_TIMEOUT"] = "6"  # under the lease, as in production (15 s, 3 min)
    smtp = RecordingSMTP(stall=2)  # both threads of the worker stuck in a conversation
    stack.smtp_open(smtp)
    worker = stack.worker()
    # Three mails queued by a web process of the application (the broker is the worker's folder).
    stack.manage(
        "from comptes.scoping import provider_scope, scopes_disabled\n"
        "from reservations.models import Booking\n"
        "from reservations.documents.mails import booking_document_mail_queue\n"
        f"with scopes_disabled():\n    booking = Booking.objects.get(pk={booking.pk})\n"
        "with provider_scope(booking.provider):\n"
        "    for _ in range(3):\n"
        "        booking_document_mail_queue(booking=booking, language='fr')\n"
    )
    wait_for(lambda: len(smtp.stalled) == 2, timeout=60, what="two conversations in flight\n" + stack.logs())
    worker.kill()
    in_flight = [mail for mail in mails() if mail.in_flight_until is not None]
    assert sorted(mail.message_id for mail in in_flight) == sorted(smtp.message_ids(smtp.stalled))
    for mail in in_flight:  # the attempt was recorded before the conversation started
        assert mail.status == OutgoingMail.Status.QUEUED
        assert attempts(mail)[-1].finished_at is None

    started = time.monotonic()
    stack.worker()
    sent = wait_for(all_sent, timeout=300, interval=0.5, what="every mail delivered\n" + stack.logs())
    delay = time.monotonic() - started
    time.sleep(3)  # a few more dispatcher runs: nothing is sent again
    assert len(sent) == 3
    assert sorted(smtp.message_ids()) == sorted(mail.message_id for mail in sent)  # each exactly once
    for mail in in_flight:  # retried with its own Message-ID; the history shows both attempts
        history = attempts(mail)
        assert [(a.succeeded, a.finished_at is None) for a in history][-2:] == [(False, True), (True, False)]
        assert "Interrupted" in history[-2].error
    # The file's history shows every attempt, the interrupted ones too.
    client.force_login(factories.owner_of(booking.provider))
    page = client.get(reverse("reservations:booking_documents", kwargs={"booking_pk": booking.pk})).text
    assert page.count('class="mail-item mail-sent"') == 3
    assert "interrupted: the sending process stopped" in page or "interrompue" in page
    print(f"Worker restarted → every mail delivered in {delay:.1f} s")  # noqa: T201


def test_synchronise_now_returns_at_once_while_feeds_hang(stack, booking):
    """Item 7: "Synchroniser maintenant" with calendars that hang answers at once; the worker
    fetches them, the page polls, and a good calendar is synchronised meanwhile."""
    with scopes_disabled():
        lodging = Lodging.objects.get(provider=booking.provider)
    server = FeedServer()
    try:
        good = factories.make_ical_feed(
            lodging,
            server.serve("/good.ics", feeds.airbnb(feeds.airbnb_reserved("hm1", "20300508", "20300512"))),
        )
        for number in range(3):
            factories.make_ical_feed(
                lodging, server.serve(f"/slow{number}.ics", handler=trickle_body), name=f"Slow {number}"
            )
        stack.extra_env.update({"OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "1"})
        stack.gunicorn()
        stack.worker()
        browser = Browser(stack.base_url)
        browser.login(owner_email(booking), factories.PASSWORD)

        page = reverse("commercialisation:ical")
        started = time.monotonic()
        status, _url, body = browser.post_form(page, page, {"sync": "1", "lodging": lodging.pk})
        elapsed = time.monotonic() - started
        assert status == 200 and elapsed < 5, (elapsed, stack.logs())
        assert 'hx-trigger="every 2s"' in body  # the page polls while the syncs run

        def synced():
            with scopes_disabled():
                return IcalFeed.objects.get(pk=good.pk).last_success_at

        wait_for(synced, timeout=90, what="the good calendar synchronised\n" + stack.logs())
        assert wait_for(lambda: len(server.requests_to("/slow0.ics")) >= 1, timeout=60)
        assert len(server.requests_to("/good.ics")) == 1
        print(f"Synchroniser maintenant answered in {elapsed:.2f} s with 3 hanging calendars")  # noqa: T201
    finally:
        server.close()

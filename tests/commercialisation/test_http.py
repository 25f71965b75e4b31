"""common.http: the one safe outbound fetcher, against real servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import time

import pytest

from common import http
from common.http import FetchError, fetch, is_public_address, normalize_url
from tests.commercialisation.feedserver import redirect_to, silent, trickle_body, trickle_headers

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.10", False),
        ("100.64.0.1", False),  # CGNAT
        ("169.254.169.254", False),  # cloud metadata (link-local)
        ("fe80::1", False),
        ("fc00::1", False),
        ("224.0.0.251", False),  # multicast
        ("ff02::1", False),
        ("240.0.0.1", False),  # reserved
        ("0.0.0.0", False),  # noqa: S104
        ("::", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", False),  # IPv4-mapped private
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ],
)
def test_only_public_addresses_are_public(address, public):
    assert is_public_address(address) is public


def test_urls_are_normalised_and_checked(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    assert normalize_url("webcal://www.airbnb.fr/calendar/ical/1.ics?s=x") == (
        "https://www.airbnb.fr/calendar/ical/1.ics?s=x"
    )
    assert (
        normalize_url(" HTTPS://Admin.Booking.com:443/ical/x.ics ") == "https://admin.booking.com/ical/x.ics"
    )
    assert normalize_url("https://réservation.gîtes.example/cal.ics") == (
        "https://xn--rservation-b7a.xn--gtes-0pa.example/cal.ics"
    )
    for url, code in [
        ("ftp://example.com/cal.ics", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://example.com/", "scheme"),
        ("https://example.com:8443/cal.ics", "port"),
        ("http://example.com:22/", "port"),
        ("https://user:secret@example.com/cal.ics", "invalid_url"),
        ("https:///cal.ics", "invalid_url"),
        ("not a url", "scheme"),
    ]:
        with pytest.raises(FetchError) as error:
            normalize_url(url)
        assert error.value.code == code, url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/calendar.ics",  # a host name resolving to loopback
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.1.1/",
        "http://[::ffff:192.168.1.1]/",
        "webcal://0.0.0.0/x.ics",
    ],
)
def test_private_targets_are_refused_before_connecting(settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.code == "private_address"
    assert "réseau privé ou local" in str(error.value)


def test_a_name_resolving_to_a_private_address_is_refused(settings):
    """Through the resolver hook: the name resolves to 10.0.0.1 (and a public one)."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(FetchError) as error:
        fetch("https://calendar.example/feed.ics", resolver=lambda host, port: ["93.184.216.34", "10.0.0.1"])
    assert error.value.code == "private_address"


def test_the_validated_address_is_used_without_a_second_lookup(feed_server):
    """DNS rebinding: the name is resolved once per request; the connection goes to that address
    and the Host header keeps the name."""
    feed_server.serve("/cal.ics", CALENDAR)
    calls = []

    def rebinding_resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.1"]

    response = fetch(f"http://calendar.example:{feed_server.port}/cal.ics", resolver=rebinding_resolver)
    assert response.status == 200 and response.body == CALENDAR
    assert calls == ["calendar.example"]
    assert feed_server.requests_to("/cal.ics")[0]["headers"]["Host"] == f"calendar.example:{feed_server.port}"


def test_headers_user_agent_and_accept(feed_server):
    url = feed_server.serve("/cal.ics", CALENDAR)
    fetch(url, accept="text/calendar", headers={"If-None-Match": '"v1"'})
    headers = feed_server.requests_to("/cal.ics")[0]["headers"]
    assert headers["User-Agent"].startswith("OpenPro/")
    assert headers["Accept"] == "text/calendar"
    assert headers["If-None-Match"] == '"v1"'


def test_redirects_are_followed_up_to_three(feed_server):
    final = feed_server.serve("/final.ics", CALENDAR)
    feed_server.serve("/r3", handler=redirect_to("/final.ics"))
    feed_server.serve("/r2", handler=redirect_to(feed_server.url("/r3"), 301))
    feed_server.serve("/r1", handler=redirect_to("/r2", 307))
    response = fetch(feed_server.url("/r1"))
    assert response.status == 200 and response.url == final
    feed_server.serve("/r0", handler=redirect_to("/r1"))
    with pytest.raises(FetchError) as error:
        fetch(feed_server.url("/r0"))
    assert error.value.code == "too_many_redirects"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/admin",
        "http://127.0.0.1:{other}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/",
    ],
)
def test_each_redirect_is_validated(feed_server, settings, target):
    """Only the test server's own endpoint is allowed: a redirect elsewhere on loopback, or to a
    private or metadata address, is refused."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = [f"127.0.0.1:{feed_server.port}"]
    url = feed_server.serve("/go", handler=redirect_to(target.format(other=feed_server.port + 1)))
    assert fetch(feed_server.serve("/ok", CALENDAR)).status == 200
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.code in ("private_address", "port")


def test_body_size_is_limited(feed_server):
    url = feed_server.serve("/big.ics", b"X" * (6 * 1024 * 1024))
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.code == "too_large"
    small = feed_server.serve("/small.ics", b"X" * 2000)
    with pytest.raises(FetchError):
        fetch(small, max_bytes=1000)


def test_a_compressed_bomb_is_cut_at_the_size_limit(feed_server):
    bomb = gzip.compress(b"A" * (20 * 1024 * 1024))
    url = feed_server.serve("/bomb.ics", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert error.value.code == "too_large"
    ok = feed_server.serve("/gz.ics", gzip.compress(CALENDAR), headers={"Content-Encoding": "gzip"})
    assert fetch(ok).body == CALENDAR


@pytest.mark.parametrize("behaviour", [trickle_body, trickle_headers])
def test_a_trickling_server_is_cut_at_the_deadline(feed_server, behaviour):
    url = feed_server.serve("/slow.ics", handler=behaviour)
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetch(url, deadline=1.5)
    assert error.value.code == "too_slow"
    assert time.monotonic() - started < 3


def test_a_silent_server_times_out(feed_server):
    url = feed_server.serve("/silent.ics", handler=silent)
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetch(url, read_timeout=0.5, deadline=5)
    assert error.value.code == "timeout" and error.value.transient
    assert time.monotonic() - started < 2


def test_timeouts_are_capped_at_ten_seconds():
    assert http.CONNECT_TIMEOUT <= 10 and http.READ_TIMEOUT <= 10 and http.MAX_BYTES == 5 * 1024 * 1024


def test_a_closed_port_is_a_transient_connection_error(feed_server):
    port = feed_server.port
    feed_server.close()
    with pytest.raises(FetchError) as error:
        fetch(f"http://127.0.0.1:{port}/cal.ics")
    assert error.value.code == "connect" and error.value.transient


def test_tls_certificates_are_verified(settings, tmp_path):
    """A server with a self-signed certificate is refused (the host name is checked by TLS)."""
    import ssl
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(FetchError) as error:
            fetch(f"https://localhost:{server.server_address[1]}/cal.ics", deadline=5)
        assert error.value.code == "tls"
    finally:
        server.shutdown()
        server.server_close()

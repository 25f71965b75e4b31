"""The one helper for outbound HTTP requests (iCal feeds and every other fetch of the project).

A URL typed by a user must never make the server talk to itself or to its private network (SSRF),
so ``fetch()``:

* accepts only ``http`` and ``https`` (``webcal``/``webcals`` become ``https``) on ports 80 and 443;
* resolves the host once and refuses it unless *every* address is public: loopback, private,
  CGNAT (100.64/10), link-local (169.254/16, the cloud metadata address included), multicast,
  reserved, unspecified and IPv6 forms embedding such an IPv4 address are all refused;
* connects to the validated address itself (no second lookup, so DNS rebinding cannot switch the
  target) while TLS still verifies the certificate against the host name;
* follows at most 3 redirects, each target validated the same way;
* bounds every step: connect and read timeouts (10 s), a total deadline (so a server trickling
  bytes is cut), a body size limit (5 MB, decompressed size included);
* sends a real User-Agent.

Errors are ``FetchError``: a code, a readable (translatable) message, and whether trying again
later may help (``transient``).

``settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES`` exists for the project's own tests, which serve
feeds from 127.0.0.1: ``True`` allows loopback addresses on any port (never another private
range); a collection of ``"127.0.0.1:PORT"`` strings allows only those loopback endpoints.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 10.0
DEADLINE = 30.0
MAX_REDIRECTS = 3
ALLOWED_PORTS = {"http": 80, "https": 443}
USER_AGENT = "OpenPro/1.0 (calendar synchronisation; +https://github.com/openpro)"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

# Ranges refused on top of what ``ipaddress`` flags as non-global (belt and braces).
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)

MESSAGES = {
    "invalid_url": _("The address is not a valid web address."),
    "scheme": _("Only http, https and webcal addresses can be used."),
    "port": _("Only the standard web ports (80 and 443) can be used."),
    "dns": _("The server name could not be found."),
    "private_address": _("The address points to a private or local network, which is not allowed."),
    "connect": _("The server could not be reached."),
    "tls": _("The server’s security certificate is not valid."),
    "timeout": _("The server took too long to answer."),
    "too_slow": _("The server sent its answer too slowly; the download was stopped."),
    "too_large": _("The answer is too large (more than 5 MB)."),
    "too_many_redirects": _("The address redirects too many times."),
    "protocol": _("The server sent an invalid or incomplete answer."),
    "encoding": _("The server used an unsupported content encoding."),
}
TRANSIENT = {"dns", "connect", "timeout", "too_slow", "protocol"}


class FetchError(Exception):
    """A fetch that failed; ``str(error)`` is a readable message in the active language."""

    def __init__(self, code: str, *, detail: str = ""):
        self.code = code
        self.detail = detail
        self.transient = code in TRANSIENT
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, MESSAGES["protocol"]))

    def __str__(self) -> str:
        return self.message


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


Resolver = Callable[[str, int], Iterable[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for *_rest, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


_dns_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")


@dataclass(frozen=True)
class Target:
    """A validated URL: where to connect (``addresses``) and what to ask (``host``, ``path``)."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def normalize_url(url: str) -> str:
    """``webcal://`` → ``https://``; scheme and port checked; raises ``FetchError``."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError("invalid_url") from error
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ALLOWED_PORTS:
        raise FetchError("scheme")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None or any(c in host for c in " \t"):
        raise FetchError("invalid_url")
    if port is not None and port != ALLOWED_PORTS[scheme] and not _test_allowance():
        raise FetchError("port")  # in tests, checked once the addresses are known (loopback only)
    try:
        netloc = host.lower() if ":" in host else host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise FetchError("invalid_url") from error
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if port is not None and port != ALLOWED_PORTS[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _test_allowance():
    return getattr(settings, "OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def is_public_address(value: str) -> bool:
    """True when ``value`` is a globally routable unicast address."""
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(str(embedded))
    if (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    return not any(address.version == net.version and address in net for net in _BLOCKED_NETWORKS)


def _address_allowed(address: str, port: int) -> bool:
    return is_public_address(address) or _loopback_allowed(address, port)


def _loopback_allowed(address: str, port: int) -> bool:
    """The test allowance: loopback only, any port (``True``) or listed endpoints."""
    allowance = _test_allowance()
    if not allowance:
        return False
    try:
        loopback = ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False
    if not loopback:
        return False
    return allowance is True or f"{address}:{port}" in set(allowance)


def resolve(url: str, *, resolver: Resolver | None = None, timeout: float = CONNECT_TIMEOUT) -> Target:
    """Normalise ``url`` and resolve its host once; every address must be allowed."""
    url = normalize_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme
    host = parts.hostname or ""
    port = parts.port or ALLOWED_PORTS[scheme]
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        lookup = resolver or system_resolver
        try:
            addresses = list(_dns_pool.submit(lookup, host, port).result(timeout=timeout))
        except FutureTimeout as error:
            raise FetchError("dns", detail="timeout") from error
        except (OSError, UnicodeError) as error:
            raise FetchError("dns", detail=str(error)) from error
    if not addresses:
        raise FetchError("dns")
    if not all(_address_allowed(address, port) for address in addresses):
        raise FetchError("private_address", detail=", ".join(addresses))
    if port != ALLOWED_PORTS[scheme] and not all(_loopback_allowed(address, port) for address in addresses):
        raise FetchError("port")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


class _DeadlineReader(io.RawIOBase):
    """Reads from a socket, each read bounded by the read timeout and the overall deadline."""

    def __init__(self, owner: _DeadlineSocket):
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        owner = self._owner
        remaining = owner.deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("too_slow")
        owner.sock.settimeout(min(owner.read_timeout, remaining))
        try:
            return owner.sock.recv_into(buffer)
        except TimeoutError as error:
            if time.monotonic() >= owner.deadline:
                raise FetchError("too_slow") from error
            raise FetchError("timeout") from error

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._owner.release()


class _DeadlineSocket:
    """What ``http.client`` needs of a socket, reads going through ``_DeadlineReader``. Like a real
    socket, the descriptor stays open while a reader made by ``makefile`` is open."""

    def __init__(self, sock: socket.socket, deadline: float, read_timeout: float):
        self.sock = sock
        self.deadline = deadline
        self.read_timeout = read_timeout
        self._readers = 0
        self._closing = False

    def makefile(self, mode: str, *args, **kwargs):
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def sendall(self, data) -> None:
        self.sock.settimeout(max(0.01, min(self.read_timeout, self.deadline - time.monotonic())))
        self.sock.sendall(data)

    def release(self) -> None:
        self._readers -= 1
        if self._closing and self._readers <= 0:
            self.sock.close()

    def close(self) -> None:
        self._closing = True
        if self._readers <= 0:
            self.sock.close()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address already validated; TLS checks the host name."""

    def __init__(self, target: Target, *, connect_timeout: float, read_timeout: float, deadline: float):
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self.default_port = ALLOWED_PORTS[target.scheme]
        self._target = target
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._deadline = deadline

    def connect(self) -> None:
        last_error: Exception | None = None
        for address in self._target.addresses:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("too_slow")
            try:
                raw = socket.create_connection(
                    (address, self._target.port), timeout=min(self._connect_timeout, remaining)
                )
            except TimeoutError as error:
                last_error = FetchError("timeout", detail=str(error))
                continue
            except OSError as error:
                last_error = FetchError("connect", detail=str(error))
                continue
            try:
                if self._target.scheme == "https":
                    context = ssl.create_default_context()
                    raw = context.wrap_socket(raw, server_hostname=self._target.host)
            except ssl.SSLCertVerificationError as error:
                raw.close()
                raise FetchError("tls", detail=str(error)) from error
            except (ssl.SSLError, OSError) as error:
                raw.close()
                last_error = FetchError("connect", detail=str(error))
                continue
            self.sock = _DeadlineSocket(raw, self._deadline, self._read_timeout)
            return
        raise last_error or FetchError("connect")


def _decode_body(encoding: str, body_chunks: Iterable[bytes], max_bytes: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return b"".join(body_chunks)
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError("encoding", detail=encoding)
    decompressor = zlib.decompressobj(47 if "gzip" in encoding else zlib.MAX_WBITS)
    out = bytearray()
    try:
        for chunk in body_chunks:
            out += decompressor.decompress(chunk, max_bytes + 1 - len(out))
            if len(out) > max_bytes or decompressor.unconsumed_tail:
                raise FetchError("too_large")
        out += decompressor.flush()
    except zlib.error as error:
        raise FetchError("protocol", detail=str(error)) from error
    if len(out) > max_bytes:
        raise FetchError("too_large")
    return bytes(out)


def _one_request(
    target: Target,
    headers: dict[str, str],
    *,
    max_bytes: int,
    connect_timeout: float,
    read_timeout: float,
    deadline: float,
) -> Response:
    connection = _PinnedConnection(
        target, connect_timeout=connect_timeout, read_timeout=read_timeout, deadline=deadline
    )
    response = None
    try:
        connection.putrequest("GET", target.path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        result = Response(
            url=target.url,
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
        )
        if response.status in REDIRECT_STATUSES or response.status == 304 or response.status >= 400:
            # The body is not used: do not wait for it.
            return result
        length = result.header("content-length")
        if length.isdigit() and int(length) > max_bytes and not result.header("content-encoding"):
            raise FetchError("too_large")
        chunks: list[bytes] = []
        received = 0
        while True:
            chunk = response.read(65536)
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise FetchError("too_large")
            chunks.append(chunk)
        result.body = _decode_body(result.header("content-encoding"), chunks, max_bytes)
        return result
    except FetchError:
        raise
    except http.client.IncompleteRead as error:
        raise FetchError("protocol", detail="incomplete body") from error
    except TimeoutError as error:
        raise FetchError("timeout", detail=str(error)) from error
    except ssl.SSLCertVerificationError as error:
        raise FetchError("tls", detail=str(error)) from error
    except (http.client.HTTPException, OSError, ValueError) as error:
        raise FetchError("protocol", detail=f"{type(error).__name__}: {error}") from error
    finally:
        if response is not None:
            response.close()
        connection.close()


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    accept: str = "*/*",
    max_bytes: int = MAX_BYTES,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    deadline: float | None = None,
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver | None = None,
) -> Response:
    """GET ``url`` safely (see the module docstring). Any status but a redirect is returned;
    every failure raises ``FetchError``.

    ``deadline`` (seconds for the whole fetch, redirects included) defaults to
    ``settings.OUTBOUND_DEADLINE_SECONDS`` or 30 s. ``resolver`` replaces the DNS lookup (tests).
    """
    total = deadline if deadline is not None else getattr(settings, "OUTBOUND_DEADLINE_SECONDS", DEADLINE)
    ends_at = time.monotonic() + total
    connect_timeout = min(connect_timeout, CONNECT_TIMEOUT)
    read_timeout = min(read_timeout, READ_TIMEOUT)
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip",
        "Connection": "close",
        **(headers or {}),
    }
    current = url
    for _hop in range(max_redirects + 1):
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            raise FetchError("too_slow")
        target = resolve(current, resolver=resolver, timeout=min(connect_timeout, remaining))
        response = _one_request(
            target,
            request_headers,
            max_bytes=max_bytes,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            deadline=ends_at,
        )
        if response.status not in REDIRECT_STATUSES:
            return response
        location = response.header("location")
        if not location:
            raise FetchError("protocol", detail="redirect without Location")
        current = urljoin(target.url, location.strip())
    raise FetchError("too_many_redirects")

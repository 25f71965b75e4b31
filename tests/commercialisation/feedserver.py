"""A real HTTP server on 127.0.0.1, in a thread, serving calendars the way platforms do (and the
ways they fail). Used by the sync tests, the browser test and the benchmarks."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    handler: Callable | None = None  # handler(request_handler, server) for special behaviour


class FeedServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append({"path": self.path, "headers": dict(self.headers.items())})
                route = server.routes.get(self.path)
                if route is None:
                    return self._send(
                        404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"}
                    )
                if route.handler is not None:
                    return route.handler(self, server)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    return self._send(304, b"", {"ETag": route.etag})
                headers = {"Content-Type": "text/calendar; charset=utf-8", **route.headers}
                if route.etag:
                    headers["ETag"] = route.etag
                return self._send(route.status, route.body, headers)

            def _send(self, status, body, headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if status != 304 and body:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes = b"", **options) -> str:
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# Special behaviours -------------------------------------------------------------------------


def trickle_body(handler, server) -> None:
    """Headers at once, then one byte every 0.2 s, forever (until the client gives up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/calendar")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"BEGIN:VCALENDAR\r\n")
    handler.wfile.flush()
    _trickle(handler, server)


def trickle_headers(handler, server) -> None:
    """The status line, then header bytes one at a time, forever."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    handler.wfile.flush()
    _trickle(handler, server)


def _trickle(handler, server) -> None:
    try:
        while not server.stopping.is_set():
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    handler.close_connection = True


def silent(handler, server) -> None:
    """Accept the request and never answer."""
    server.stopping.wait(30)
    handler.close_connection = True


def redirect_to(location: str, status: int = 302):
    def handler(request_handler, server):
        request_handler._send(status, b"", {"Location": location})

    return handler

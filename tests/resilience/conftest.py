"""Real processes for the resilience tests: gunicorn on a free loopback port, a Celery worker with
its embedded beat on a broker of the test's own (a temporary filesystem folder, or a redis-server
the test starts and kills), an SMTP server on loopback (aiosmtpd, or a listener that accepts and
hangs up). The processes run the normal settings (``openpro.settings``, not the test settings) on
this test's database, with an environment the test controls entirely: ``REDIS_URL`` of the CI is
never inherited. Every port is free and every folder is the test's own, so xdist workers never meet.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.children import child_database_url

ROOT = Path(__file__).resolve().parents[2]
#: How often the dispatchers run in these tests (seconds), instead of every minute.
DISPATCH_INTERVAL = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.25, what: str = ""):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(interval)


def database_url() -> str:
    """This test's database, for the processes the test starts."""
    return child_database_url()


class Process:
    """One child process, its output in a log file (shown when a test fails)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log_path = name, command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_output(self, pattern: str, *, timeout: float = 60) -> None:
        def found():
            if self.popen is not None and self.popen.poll() is not None:
                pytest.fail(f"{self.name} exited ({self.popen.returncode}):\n{self.output()[-4000:]}")
            return re.search(pattern, self.output())

        wait_for(found, timeout=timeout, what=f"{self.name}: {pattern!r}\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group (a worker's threads, gunicorn's workers)."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None) is not None:
            self.log.close()


class HangUpListener:
    """A closed mail server: accepts each connection and hangs up at once, counting them."""

    def __init__(self, port: int):
        self.connections: list[float] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _address = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(time.monotonic())
            client.close()

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


class RecordingSMTP:
    """aiosmtpd handler: records every message it accepts (250); the DATA of the next ``stall``
    messages hangs (the conversation never ends, the message is never accepted)."""

    def __init__(self, stall: int = 0):
        self.accepted: list = []
        self.stalled: list = []
        self.stall = stall

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.stall > 0:
            self.stall -= 1
            self.stalled.append(envelope)
            await asyncio.sleep(3600)
        self.accepted.append(envelope)
        return "250 2.0.0 OK"

    def message_ids(self, envelopes=None) -> list[str]:
        ids = []
        for envelope in self.accepted if envelopes is None else envelopes:
            match = re.search(rb"^Message-ID:\s*(<[^>]+>)", envelope.original_content, re.M | re.I)
            ids.append(match.group(1).decode() if match else "")
        return ids


class Stack:
    """The processes of one test, stopped at its end."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.smtp_port = free_port()
        self.processes: list[Process] = []
        self.controllers: list[Controller] = []
        self.listeners: list[HangUpListener] = []
        self.redis_url = ""
        self.extra_env: dict[str, str] = {}
        self.http_port: int | None = None

    # Environment ---------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OPENPRO_", "REDIS_", "CELERY_", "EMAIL_", "PYTEST_", "DJANGO_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "openpro.settings",
                "DEBUG": "1",
                "DATABASE_URL": database_url(),
                "OPENPRO_CELERY_DIR": str(self.tmp / "celery"),
                "OPENPRO_DISPATCH_INTERVAL": str(DISPATCH_INTERVAL),
                "OPENPRO_MAIL_FIRST_RETRY_DELAY": "1",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.smtp_port),
                "EMAIL_USE_TLS": "0",
                "EMAIL_TIMEOUT": "5",
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                "MEDIA_ROOT": str(self.tmp / "media"),
            }
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def _process(self, name: str, command: list[str]) -> Process:
        process = Process(name, command, self.env(), self.tmp / f"{name}-{len(self.processes)}.log")
        self.processes.append(process)
        return process

    # Processes -----------------------------------------------------------------------------
    def worker(self) -> Process:
        """A Celery worker with its embedded beat (as `make run` starts it), ready to consume."""
        name = f"resilience-{uuid.uuid4().hex[:8]}@127.0.0.1"
        process = self._process(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "openpro",
                "worker",
                "--beat",
                f"--schedule={self.tmp / 'beat-schedule'}",
                "--pool=threads",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                name,
            ],
        ).start()
        process.wait_output(r"ready\.", timeout=90)
        return process

    def gunicorn(self, workers: int = 1) -> Process:
        self.http_port = self.http_port or free_port()
        process = self._process(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "openpro.wsgi:application",
                f"--bind=127.0.0.1:{self.http_port}",
                f"--workers={workers}",
                "--timeout=120",
                "--no-control-socket",
                "--access-logfile=-",
                "--access-logformat=ACCESS pid=%(p)s %(m)s %(U)s %(s)s",
            ],
        ).start()
        wait_for(
            self._answers, timeout=90, what=f"gunicorn on port {self.http_port}\n{process.output()[-3000:]}"
        )
        return process

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5):  # noqa: S310 - loopback
                return True
        except (urllib.error.URLError, OSError):
            return False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def redis(self, port: int | None = None) -> Process:
        """A redis-server of the test's own (no persistence), on a free port."""
        port = port or free_port()
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            pytest.fail("redis-server is needed for the fault tests (apt-get install redis-server)")
        process = self._process(
            "redis",
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ).start()
        process.wait_output(r"Ready to accept connections", timeout=30)
        return process

    def manage(self, code: str, *, timeout: float = 120) -> str:
        """Run Python in a Django process of the application (a web process's settings)."""
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup()\n{code}"],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # SMTP ----------------------------------------------------------------------------------
    def smtp_closed(self) -> HangUpListener:
        listener = HangUpListener(self.smtp_port)
        self.listeners.append(listener)
        return listener

    def smtp_open(self, handler: RecordingSMTP | None = None) -> RecordingSMTP:
        handler = handler or RecordingSMTP()
        controller = Controller(handler, hostname="127.0.0.1", port=self.smtp_port)
        controller.start()
        self.controllers.append(controller)
        return handler

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        for controller in self.controllers:
            controller.stop()
        for listener in self.listeners:
            if listener.running:
                listener.stop()

    def logs(self) -> str:
        return "\n".join(f"===== {p.name} ({p.log_path.name})\n{p.output()[-6000:]}" for p in self.processes)

    def access_pids(self, path_fragment: str) -> list[str]:
        """The gunicorn worker pids that answered requests to ``path_fragment`` (access log)."""
        text = "".join(p.output() for p in self.processes if p.name == "gunicorn")
        return re.findall(rf"ACCESS pid=<?(\d+)>? \w+ \S*{re.escape(path_fragment)}\S* \d+", text)


class Browser:
    """A minimal HTTP client with cookies and Django's CSRF token (one connection per request, so
    gunicorn's workers share the requests)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None, *, follow: bool = True) -> tuple[int, str, str]:
        """(status, final URL, body)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 - loopback
        request.add_header("Accept-Language", "fr")
        opener = self.opener
        if not follow:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _status, _url, page = self.request(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:2000]
        return html.unescape(match.group(1))

    def login(self, email: str, password: str) -> tuple[int, str, str]:
        token = self.csrf("/accounts/login/")
        return self.request(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": password}
        )

    def post_form(self, page: str, action: str, fields: dict | None = None, *, follow: bool = True):
        token = self.csrf(page)
        return self.request(action, {"csrfmiddlewaretoken": token, **(fields or {})}, follow=follow)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def stack(tmp_path, transactional_db, request):
    """The test's processes on its (committed, transactional) database; their logs are printed
    when the test fails."""
    with connection.cursor() as cursor:  # the processes' shared cache (login counters…): a clean start
        cursor.execute("DELETE FROM openpro_cache")
    stack = Stack(tmp_path)
    yield stack
    stack.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(stack.logs())  # noqa: T201 - shown by pytest with the failure


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report

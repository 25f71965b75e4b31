"""What the benchmarks share: a throw-away database that is always dropped, and the production web
server (gunicorn with the flags of ``docker-compose.yml``) started on a free local port.

    from benchmarks.harness import throwaway_database, ProductionServer
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def drop_database(name: str) -> None:
    """``DROP DATABASE … WITH (FORCE)``: gone even if a server process still holds a connection."""
    from django.db import connection

    connection.close()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


@contextmanager
def throwaway_database(*, keep: bool = False) -> Iterator[str]:
    """Django on a fresh, migrated ``bench_<name>`` next to the configured database, dropped at the
    end whatever happens (an exception, Ctrl+C) unless ``keep`` (then reused by the next run)."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    original = connection.settings_dict["NAME"]
    name = f"bench_{original}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    setup_test_environment()
    # SIGTERM (a timeout, ``kill``) unwinds like Ctrl+C, so the database below is dropped then too.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
        yield name
    finally:
        if not keep:
            drop_database(name)
        connection.settings_dict["NAME"] = original
        teardown_test_environment()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


# --- the production web server --------------------------------------------------------------------


def compose_web() -> tuple[list[str], dict[str, str]]:
    """The ``web`` command and the application environment of ``docker-compose.yml`` (``${VAR:-x}``
    resolved to its default; a required ``${VAR:?…}`` left empty for the caller to give)."""
    text = (ROOT / "docker-compose.yml").read_text()
    environment: dict[str, str] = {}
    block = re.search(r"^x-app:.*(?:\n.*)*?\n  environment:\n((?:    (?:[A-Z0-9_]+:|#).*\n)+)", text, re.M)
    for line in block.group(1).splitlines() if block else []:
        if line.strip().startswith("#"):
            continue
        key, _sep, value = line.strip().partition(":")
        value = value.strip().strip('"')
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
        value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "", value)
        environment[key.strip()] = value
    web = re.search(r"^  web:\n(?:    .*\n)*?    command: (.+)$", text, re.M)
    if web is None:
        raise RuntimeError("docker-compose.yml has no web command")
    return shlex.split(web.group(1)), environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProductionServer:
    """gunicorn started as ``docker-compose.yml`` starts ``web`` (same command and flags, same
    environment), on 127.0.0.1 and a free port, with ``DATABASE_URL`` and ``REDIS_URL`` given here.
    Requests must carry ``X-Forwarded-Proto: https`` (production sits behind a TLS proxy)."""

    HEADERS = {"X-Forwarded-Proto": "https"}

    def __init__(self, *, database_url: str, redis_url: str = "", extra_env: dict[str, str] | None = None):
        command, environment = compose_web()
        self.port = free_port()
        args = list(command)
        if "--bind" in args:
            args[args.index("--bind") + 1] = f"127.0.0.1:{self.port}"
        else:
            args += ["--bind", f"127.0.0.1:{self.port}"]
        if args[0] == "gunicorn":
            args[0] = str(Path(sys.executable).with_name("gunicorn"))
        self.command = args
        env = {k: v for k, v in os.environ.items() if k not in ("OPENPRO_TESTING", "DJANGO_SETTINGS_MODULE")}
        env.update(environment)
        self.media = tempfile.TemporaryDirectory()
        env.update(
            {name: f"{self.media.name}/{name.lower()}" for name in environment if name.endswith("MEDIA_ROOT")}
        )
        env.update(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "SECRET_KEY": "benchmark-" + "x" * 50,
                "ALLOWED_HOSTS": "127.0.0.1",
                "LOG_LEVEL": "WARNING",
            }
        )
        env.update(extra_env or {})
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, size: int = 3000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def __enter__(self) -> ProductionServer:
        try:
            return self._start()
        except BaseException:  # SIGTERM or Ctrl+C while it boots: never leave gunicorn behind
            self.__exit__(None, None, None)
            raise

    def _start(self) -> ProductionServer:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by __exit__; the error log, never a pipe
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,  # the access log of --access-logfile -
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.log_tail())
            try:
                self.get("/healthz")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self.log.close()
        self.media.cleanup()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers={**self.HEADERS, **(headers or {})})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def wrk(url: str, *, seconds: int, connections: int, threads: int, headers: dict[str, str]) -> dict:
    """Requests per second of ``wrk`` on ``url`` (and its errors / non-2xx-3xx answers)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    return {
        "rate": rate,
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
        "p50": p50.group(1) if p50 else "?",
    }

"""Beyond one machine: two app nodes share nothing but PostgreSQL, the broker and object storage.

Two gunicorn servers (the production command's flags) on two free loopback ports, one Celery
worker, all separate processes, against this test's database and a local S3-compatible server
(moto's server mode), with ``STORAGE_BACKEND=s3``. A photo uploaded on node A is shown and read on
node B; an export started on node B is prepared by the worker into the private prefix of the
bucket and downloaded from node A. Nothing is written to the nodes' local media folder.

The broker is kombu's filesystem transport in a folder of this test (``CELERY_QUEUE_DIR``), so the
test needs no Redis; production uses Redis (README, "Production").
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.children import child_database_url

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "openpro-multi-node"
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited: {log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=10, allow_redirects=False).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def s3_server():
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def cluster(transactional_db, s3_server, tmp_path):
    """Node A, node B (gunicorn) and a Celery worker, sharing the test database and the bucket."""
    endpoint, _client = s3_server
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="openpro.settings",
        DEBUG="0",
        OPENPRO_TESTING="1",  # development secret key, plain static storage
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=child_database_url(),
        DB_CONN_MAX_AGE="60",
        CELERY_BROKER_URL="filesystem://",
        CELERY_QUEUE_DIR=str(tmp_path / "celery"),
        CELERY_TASK_ALWAYS_EAGER="0",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        EXPORT_STREAM_MAX_ROWS="0",  # every export is a background job
        LOG_LEVEL="WARNING",
    )
    processes = []

    def start(name, command):
        log = tmp_path / f"{name}.log"
        handle = open(log, "w")  # noqa: SIM115 - closed with the process below
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.append((process, handle))
        return process, log

    bin_dir = Path(sys.executable).parent
    nodes = {}
    for name in ("a", "b"):
        port = free_port()
        process, log = start(
            f"node-{name}",
            [
                str(bin_dir / "gunicorn"),
                "openpro.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
                "--graceful-timeout",
                "10",
            ],
        )
        nodes[name] = (f"http://127.0.0.1:{port}", process, log)
    worker, worker_log = start(
        "worker", [str(bin_dir / "celery"), "-A", "openpro", "worker", "--pool=solo", "--loglevel=WARNING"]
    )
    try:
        for url, process, log in nodes.values():
            wait_for(f"{url}/accounts/login/", process, log)
        yield {"a": nodes["a"][0], "b": nodes["b"][0], "worker_log": worker_log, "media": tmp_path / "media"}
    finally:
        for process, _handle in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, handle in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            handle.close()


def session_cookie(email: str) -> str:
    """A session opened in the shared database (as after logging in), valid on every node."""
    from django.test import Client

    from comptes.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_two_nodes_share_photos_and_exports_through_the_object_storage(cluster, s3_server):
    import requests

    _endpoint, s3 = s3_server
    provider = factories.make_provider(number=55501, email="multi@example.com", last_name="Noeud")
    lodging = factories.make_lodging(provider, name="Gîte du Réseau")
    for week in range(3):
        factories.make_file(
            lodging, date(2030, 7, 6) + timedelta(days=7 * week), 7, last_name=f"Client{week}"
        )
    cookies = {settings.SESSION_COOKIE_NAME: session_cookie("multi@example.com")}

    def cookie_header(extra: dict | None = None) -> dict:
        jar = {**cookies, **(extra or {})}
        return {"Cookie": "; ".join(f"{key}={value}" for key, value in jar.items())}

    # Node A: upload a photo (the edit page gives the CSRF token).
    edit = reverse("hebergements:lodging_edit", kwargs={"lodging_pk": lodging.pk})
    page = requests.get(f"{cluster['a']}{edit}", headers=cookie_header(), timeout=30)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    csrf_cookie = page.cookies.get(settings.CSRF_COOKIE_NAME)
    image = factories.image_bytes("JPEG", (800, 600))
    upload = requests.post(
        f"{cluster['a']}{reverse('hebergements:lodging_photo_add', kwargs={'lodging_pk': lodging.pk})}",
        headers=cookie_header({settings.CSRF_COOKIE_NAME: csrf_cookie}),
        data={"csrfmiddlewaretoken": token},
        files={"photos": ("vue.jpg", image, "image/jpeg")},
        allow_redirects=False,
        timeout=30,
    )
    assert upload.status_code == 302, upload.text[:2000]

    # The files are in the bucket, not on a node's disk.
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert any(key.startswith(f"media/photos/{provider.pk}/") for key in keys), keys
    assert not cluster["media"].exists() or not any(cluster["media"].rglob("*.jpg"))

    # Node B shows it, and its URL (the object storage's, signed) gives the uploaded bytes.
    page_b = requests.get(f"{cluster['b']}{edit}", headers=cookie_header(), timeout=30)
    assert page_b.status_code == 200
    sources = [unescape(src) for src in re.findall(r'<img[^>]+src="([^"]+)"', page_b.text)]
    photo_urls = [src for src in sources if "/media/photos/" in src]
    assert photo_urls, sources
    bodies = [requests.get(src, timeout=30).content for src in photo_urls]
    assert image in bodies or all(body.startswith(b"\xff\xd8") for body in bodies)
    original = next(key for key in keys if "/thumbs/" not in key and key.startswith("media/photos/"))
    assert s3.get_object(Bucket=BUCKET, Key=original)["Body"].read() == image

    # Node B: export the files; the worker prepares it in the private prefix of the bucket.
    started = requests.get(
        f"{cluster['b']}{reverse('reservations:booking_export')}",
        params={"status": ""},
        headers=cookie_header(),
        allow_redirects=False,
        timeout=30,
    )
    assert started.status_code == 302, started.text[:1000]
    job_page = started.headers["Location"]
    assert re.fullmatch(r"/exports/\d+/", job_page), job_page

    # Node A follows its progress (the htmx partial) until the download link appears.
    deadline = time.monotonic() + 90
    link = None
    while time.monotonic() < deadline:
        partial = requests.get(
            f"{cluster['a']}{job_page}", headers={**cookie_header(), "HX-Request": "true"}, timeout=30
        )
        assert partial.status_code == 200
        found = re.search(r'href="([^"]+)" data-testid="export-download"', partial.text)
        if found:
            link = unescape(found.group(1))
            break
        assert "is-failed" not in partial.text, partial.text
        time.sleep(0.5)
    assert link, cluster["worker_log"].read_text()[-3000:]

    private_keys = [
        item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="private/").get("Contents", [])
    ]
    assert len(private_keys) == 1 and private_keys[0].startswith("private/exports/55501/"), private_keys

    download = requests.get(
        f"{cluster['a']}{link}", headers=cookie_header(), allow_redirects=False, timeout=30
    )
    assert download.status_code == 200, download.text[:500]
    assert download.headers["Content-Disposition"].startswith('attachment; filename="dossiers-')
    sheet = load_workbook(BytesIO(download.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "N° dossier"
    assert sorted(row[0] for row in rows[1:4]) == [1, 2, 3]

    # Another tenant's session gets a 404 for it, on either node.
    factories.make_provider(number=55502, email="other-node@example.com", last_name="Autre")
    other = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie('other-node@example.com')}"}
    for node in ("a", "b"):
        response = requests.get(f"{cluster[node]}{link}", headers=other, allow_redirects=False, timeout=30)
        assert response.status_code == 404, node

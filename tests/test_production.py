"""The production shape: gunicorn's bounded requests, persistent connections, the storages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'age': d['CONN_MAX_AGE'], 'checks': d['CONN_HEALTH_CHECKS'], "
    "'storages': {k: v['BACKEND'] for k, v in s.STORAGES.items()}, 'serve_media': s.SERVE_MEDIA, "
    "'private': str(s.PRIVATE_MEDIA_ROOT), 'media': str(s.MEDIA_ROOT), "
    "'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)


def production_settings(**env) -> dict:
    from tests.test_project import production_env

    environment = production_env(
        SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="openpro.example.org",
    )
    environment.pop("DB_CONN_MAX_AGE", None)
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_gunicorn_bounds_every_request_in_compose_and_the_image():
    compose = (ROOT / "docker-compose.yml").read_text()
    web = re.search(r"command: (gunicorn .+)", compose).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    image = " ".join(json.loads(re.search(r"^CMD (\[.+\])", dockerfile, re.MULTILINE).group(1)))
    for command in (web, image):
        assert "--timeout 30" in command and "--graceful-timeout 20" in command, command
        assert "--workers 3" in command


def test_production_keeps_database_connections_with_health_checks():
    found = production_settings()
    assert (found["age"], found["checks"]) == (60, True)
    assert production_settings(DB_CONN_MAX_AGE="0")["age"] == 0


def test_private_files_are_never_under_the_served_media():
    found = production_settings(MEDIA_ROOT="/srv/media", PRIVATE_MEDIA_ROOT="/srv/private")
    assert found["storages"]["private"] == "common.storage.PrivateFileSystemStorage"
    assert not found["private"].startswith(found["media"])
    assert found["serve_media"] is True


def test_storage_backend_s3_moves_media_and_private_files_to_the_object_storage():
    found = production_settings(
        STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="openpro", AWS_S3_ENDPOINT_URL="https://s3.example.net"
    )
    assert found["storages"]["default"] == found["storages"]["private"] == "storages.backends.s3.S3Storage"
    assert found["serve_media"] is False
    assert "https://s3.example.net" in found["img"]

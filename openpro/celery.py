"""Celery application: Redis with ``REDIS_URL``, else the filesystem broker of ``make run``;
the tests run tasks in-process (eagerly)."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")

# filesystem:// (no Redis): kombu's transport with atomic writes (see common/broker.py).
TRANSPORT_ALIASES["filesystem"] = "common.broker:Transport"

app = Celery("openpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Celery application. Tasks run in-process (eagerly) when no broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpro.settings")

app = Celery("openpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

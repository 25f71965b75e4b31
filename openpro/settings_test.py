"""Settings for the test suite: the normal settings with ``OPENPRO_TESTING`` on.

The suite runs in parallel (pytest-xdist): every worker has its own test database (pytest-django
adds the worker's name, ``gw0``, ``gw1``…, to its name), and here its own key prefix in the cache and
in Celery's Redis broker, unique to this run of the suite too. Two workers, or two runs sharing one
Redis server, never see nor delete each other's keys (login rate limits…).
"""

import os
import uuid

os.environ["OPENPRO_TESTING"] = "1"

from openpro.settings import *  # noqa: E402, F403
from openpro.settings import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL  # noqa: E402

TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEST_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
TEST_KEY_PREFIX = f"openpro-test:{TEST_RUN}:{TEST_WORKER}"

if "database" in CACHES:
    # The Redis cache's fallback: this process's memory in the suite (tests without a database
    # clear every cache); the fault tests run real processes on the real database cache.
    CACHES["database"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fallback"}
for _cache in CACHES.values():
    _cache["KEY_PREFIX"] = TEST_KEY_PREFIX
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{TEST_KEY_PREFIX}:",
    }

"""Settings for the test suite: the normal settings with ``OPENPRO_TESTING`` on."""

import os

os.environ["OPENPRO_TESTING"] = "1"

from openpro.settings import *  # noqa: E402, F403

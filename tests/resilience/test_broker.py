"""The filesystem broker (no Redis) writes each message under a name the consumer ignores, then
renames it into place: a worker polling the folder never reads a half-written message."""

from __future__ import annotations

from kombu import Connection

import openpro.celery  # noqa: F401 - registers the transport
from common.broker import Transport


def test_messages_appear_whole_in_the_queue_folder(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    with Connection("filesystem://localhost/", transport_options=options) as connection:
        assert isinstance(connection.transport, Transport)
        queue = connection.SimpleQueue("resilience-test")
        queue.put({"mail": 1})
        assert [path.name.endswith(".resilience-test.msg") for path in folder.iterdir()] == [True]
        assert queue.get(timeout=2).payload == {"mail": 1}
        queue.close()

"""kombu's filesystem transport with atomic writes (the broker of `make run` with no Redis).

kombu writes a message straight into its final file name in the queue folder (guarded only by an
advisory lock), and the consumer moves and reads any file with that name: a worker that looks at
the folder while the web process or the embedded beat is writing reads an empty file, fails to
decode it and stops ("Unrecoverable error: JSONDecodeError"). Here a message is written under a
temporary name the consumer ignores, then renamed into place (atomic within one folder), so the
consumer only ever sees complete messages. Registered as the ``filesystem`` transport by
``openpro.celery``.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")  # not "<…>.<queue>.msg"
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

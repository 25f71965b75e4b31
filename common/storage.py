"""Where files go: Django's storage API only, never a path on disk.

* ``default`` (photos, logos): public by nature, under ``MEDIA_ROOT`` or an S3-compatible bucket.
* ``private`` (exports, and any generated file holding guests' personal data): never under the
  publicly served media. On disk it lives under ``PRIVATE_MEDIA_ROOT`` and has no URL at all; on S3
  it is a private prefix (or bucket). Either way a private file is read back only through a view in
  the provider's scope (``comptes.views.export_download``).

``settings.STORAGE_BACKEND`` (``local`` or ``s3``) chooses both, see ``openpro.settings``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property

PRIVATE = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` rooted at ``settings.PRIVATE_MEDIA_ROOT`` (followed when a test
    overrides it), with no public URL: ``url()`` refuses."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("A private file has no public URL; serve it through a scoped view.")


def private_storage() -> Storage:
    """The storage of generated files holding personal data (``STORAGES["private"]``)."""
    return storages[PRIVATE]

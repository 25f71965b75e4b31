"""Scheduled work of the lodgings' app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hebergements.held_photos_purge")
def held_photos_purge() -> int:
    """Daily: the photos held for a wizard never sent again (``services.held_photos_purge``)."""
    from hebergements import services

    return services.held_photos_purge()

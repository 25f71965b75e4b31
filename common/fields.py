"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models


class URLField(models.URLField):
    """A URL; a typed "www.example.fr" becomes "https://www.example.fr" (Django 6 default)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)

"""Validation and normalisation of what owners type on the PARAMÈTRES pages."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4000
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str | None) -> str:
    """Owner text stored as plain text: HTML tags removed, line breaks kept (``\\n``), no control
    characters, no trailing spaces. Templates escape it and render line breaks with ``linebreaksbr``.
    """
    if not value:
        return ""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    if "<" in text:
        text = strip_tags(text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def normalise_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_iban(value: str) -> None:
    """An IBAN: country code, check digits, up to 30 letters or digits, and a valid mod-97 checksum."""
    iban = normalise_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        raise ValidationError(_("Enter a valid IBAN (e.g. FR76 3000 6000 0112 3456 7890 189)."), code="iban")
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    if int(digits) % 97 != 1:
        raise ValidationError(_("This IBAN is not valid: check its digits."), code="iban_checksum")


validate_bic = RegexValidator(
    r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$",
    _("Enter a valid BIC (8 or 11 letters and digits)."),
    code="bic",
)

validate_payment_account_id = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$",
    _(
        "Enter the identifier given by the payment service: "
        "3 to 64 letters, digits, dots, dashes or underscores."
    ),
    code="account_id",
)


def validate_logo(file) -> None:
    """A logo is a real PNG, JPEG, GIF or WebP image of at most 2 MB and 4000 × 4000 pixels."""
    from PIL import Image, UnidentifiedImageError

    if file is None or not getattr(file, "name", None):
        return
    size = getattr(file, "size", None)
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is too large: 2 MB at most."), code="logo_size")
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("The logo must be an image (PNG, JPEG, GIF or WebP)."), code="logo_not_image"
        ) from error
    finally:
        if position is not None:
            file.seek(position)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be an image (PNG, JPEG, GIF or WebP)."), code="logo_format")
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError(_("The logo is too large: 4000 × 4000 pixels at most."), code="logo_dimensions")

"""An owner's main colour (``#rrggbb``) and the readable colours derived from it.

The widgets take the owner's colour for their buttons and links; text on it and links drawn with it
must stay readable (WCAG AA: a contrast of 4.5 against the background), so the colour used for text
is darkened until it is, and the text on a button is white or dark, whichever reads better.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX = re.compile(r"#?([0-9a-fA-F]{6})")
PAGE_BACKGROUND = "f7f8fa"  # the guests' pages' background (static/css/public.css)
DARK_TEXT = "1d2630"
AA = 4.5


def parse_color(value: str | None) -> str | None:
    """``"#1A7F5A"`` or ``"1a7f5a"`` → ``"1a7f5a"``; anything else → ``None``."""
    match = HEX.fullmatch((value or "").strip())
    return match.group(1).lower() if match else None


def validate_widget_color(value: str) -> None:
    """A stored colour: six lowercase hexadecimal digits (``rrggbb``), or empty."""
    if value and not re.fullmatch(r"[0-9a-f]{6}", value):
        raise ValidationError(_("Enter a colour as #rrggbb (for example #1f6f8b)."), code="color")


def _channels(color: str) -> tuple[float, float, float]:
    return tuple(int(color[index : index + 2], 16) / 255 for index in (0, 2, 4))


def luminance(color: str) -> float:
    """WCAG relative luminance of ``rrggbb``."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(color))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _darker(color: str, factor: float) -> str:
    return "".join(f"{round(channel * 255 * factor):02x}" for channel in _channels(color))


def readable_on_page(color: str) -> str:
    """``color``, darkened just enough to be read as text (links) on the pages' background."""
    factor = 1.0
    candidate = color
    while contrast(candidate, PAGE_BACKGROUND) < AA and factor > 0:
        factor = round(factor - 0.05, 2)
        candidate = _darker(color, factor)
    return candidate


def text_on(color: str) -> str:
    """White or dark text, whichever reads better on ``color``."""
    return "ffffff" if contrast("ffffff", color) >= contrast(DARK_TEXT, color) else DARK_TEXT


def theme(color: str) -> dict[str, str]:
    """The CSS custom properties of a widget in the owner's colour (``rrggbb`` each, no ``#``):
    buttons in the colour with readable text (a middle tone that neither white nor dark text reads
    on is darkened until white does), links in the colour darkened to read on the page."""
    accent = color
    if contrast(text_on(accent), accent) < AA:
        accent = readable_on_page(color)
    return {"accent": accent, "on-accent": text_on(accent), "primary-dark": readable_on_page(color)}

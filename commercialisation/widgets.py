"""COMMERCIALISATION > Moteurs de réservation: what an owner pastes on their own site.

For each widget (availability search, planning of all the lodgings, planning of one lodging) the
snippet in its two forms — one ``<script>`` tag that inserts an iframe sized to its content
(``static/js/openpro-widget.js``), or a plain ``<iframe>`` — and the plain link to the booking site,
also the one to give Facebook's "Réserver" button. The pages themselves are
``commercialisation.public`` (``/<lang>/widget/…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from comptes.models import Office, Provider
from hebergements.models import Lodging

SCRIPT_PATH = "js/openpro-widget.js"  # unhashed: a pasted snippet keeps working after a release


@dataclass(frozen=True)
class Snippet:
    key: str  # search | planning | lodging
    title: str
    text: str
    url: str  # the widget's own address, pasted by the owner
    preview: str  # the address the page's preview frames (the test link while in test status)
    script: str  # the <script> form (resizes itself)
    iframe: str  # the <iframe> form (a fixed height)


def _absolute(base: str, path: str) -> str:
    return base.rstrip("/") + path


def widget_url(
    *,
    base: str,
    provider: Provider,
    kind: str,
    lang: str,
    lodging: Lodging | None = None,
    color: str = "",
    test: str = "",
) -> str:
    """The absolute address of one of the provider's widgets; in test mode with the signed link
    ``test`` ("Tests de réservation")."""
    kwargs = {"lang": lang, "number": provider.number, **({"test": test} if test else {})}
    if kind == "lodging":
        kwargs["pk"] = lodging.pk
    name = f"public:widget_{'test' if test else 'site'}_{kind}"
    query = f"?{urlencode({'couleur': color})}" if color else ""
    return _absolute(base, reverse(name, kwargs=kwargs)) + query


def script_url(base: str) -> str:
    static = settings.STATIC_URL
    return static + SCRIPT_PATH if "://" in static else _absolute(base, static + SCRIPT_PATH)


def _snippet(
    key: str, title: str, text: str, *, url: str, base: str, lang: str, height: int, preview: str = ""
) -> Snippet:
    label = escape(_("Online booking"))
    script = (
        f'<script src="{escape(script_url(base))}" data-openpro-widget="{escape(url)}" '
        f'data-openpro-title="{label}" async></script>'
    )
    iframe = (
        f'<iframe src="{escape(url)}" title="{label}" width="100%" height="{height}" '
        f'style="border:0;min-width:280px" loading="lazy"></iframe>'
    )
    return Snippet(key, title, text, url, preview or url, script, iframe)


def widget_snippets(
    *, base: str, provider: Provider, lang: str, lodging: Lodging | None, color: str = "", test: str = ""
) -> list[Snippet]:
    """The three widgets' snippets in ``lang``, in ``color`` (``rrggbb``) when given; the planning of
    one lodging for ``lodging`` (none without a lodging). With the signed test link ``test``, the
    previews open the widgets in test mode (the snippets keep the addresses guests will use)."""
    kinds = [
        (
            "search",
            _("Availability search widget"),
            _("Guests choose their dates and see your lodgings free for them, with their price."),
            700,
        ),
        (
            "planning",
            _("Planning of all your lodgings widget"),
            _("Four weeks of free and taken days of every lodging; an arrival day opens the booking."),
            480,
        ),
    ]
    if lodging is not None:
        kinds.append(
            (
                "lodging",
                _("Planning of one lodging widget"),
                _("The month calendar of %(name)s: guests choose an arrival day and a stay, then book.")
                % {"name": lodging.name},
                640,
            )
        )
    address = {"base": base, "provider": provider, "lang": lang, "lodging": lodging, "color": color}
    return [
        _snippet(
            kind,
            title,
            text,
            url=widget_url(kind=kind, **address),
            preview=widget_url(kind=kind, test=test, **address) if test else "",
            base=base,
            lang=lang,
            height=height,
        )
        for kind, title, text, height in kinds
    ]


def site_link(*, base: str, provider: Provider, lang: str) -> str:
    """The provider's booking site: the plain link, and the one for Facebook's "Réserver" button."""
    return _absolute(base, reverse("public:site_search", kwargs={"lang": lang, "number": provider.number}))


def office_snippet(*, base: str, office: Office, lang: str) -> Snippet:
    """The office's marketplace search and results, for the tourism office's own site."""
    url = _absolute(base, reverse("public:widget_office_search", kwargs={"lang": lang, "slug": office.slug}))
    return _snippet(
        "marketplace",
        _("Marketplace search widget"),
        _("Guests search the lodgings of your providers and book them without leaving your site."),
        url=url,
        base=base,
        lang=lang,
        height=800,
    )

"""The back-office menu, built in Python from one list (the manual's sidebar).

An entry whose URL name does not resolve yet is shown disabled, never as a dead link: when an app
adds the view, the entry lights up by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Entry:
    """``icon``: the name of a Heroicons outline icon (https://heroicons.com), one per entry."""

    label: str
    url_name: str
    icon: str = ""


@dataclass(frozen=True)
class Section:
    label: str
    entries: tuple[Entry, ...]


PROVIDER_MENU: tuple[Section | Entry, ...] = (
    Entry(_("Dashboard"), "reservations:dashboard", "squares-2x2"),
    Section(
        _("Booking follow-up"),
        (
            Entry(_("Planning"), "reservations:planning", "calendar-days"),
            Entry(pgettext_lazy("menu", "Files"), "reservations:booking_list", "folder-open"),
            Entry(_("Arrivals"), "reservations:arrivals", "arrow-right-end-on-rectangle"),
            Entry(_("Departures"), "reservations:departures", "arrow-right-start-on-rectangle"),
            Entry(_("Clients"), "reservations:client_list", "users"),
        ),
    ),
    Section(
        pgettext_lazy("menu", "Lodging"),
        (
            Entry(_("Your structure"), "hebergements:structure", "home-modern"),
            Entry(pgettext_lazy("menu", "Lodgings"), "hebergements:lodging_list", "key"),
            Entry(_("Supplements"), "hebergements:supplement_list", "plus-circle"),
            Entry(_("Prices"), "tarifs:list", "currency-euro"),
        ),
    ),
    Section(
        _("Sales channels"),
        (
            Entry(_("Promo codes"), "commercialisation:promo_code_list", "tag"),
            Entry(_("Booking tests"), "commercialisation:booking_tests", "beaker"),
            Entry(_("Booking engines"), "commercialisation:widgets", "code-bracket"),
            Entry(_("Channel manager"), "commercialisation:channel_manager", "arrows-right-left"),
            Entry(_("iCal synchronisation"), "commercialisation:ical", "arrow-path"),
        ),
    ),
    Section(
        _("Invoices"),
        (
            Entry(_("Invoices"), "factures:invoice_list", "document-currency-euro"),
            Entry(_("Invoice customisation"), "factures:settings", "paint-brush"),
        ),
    ),
    Section(
        _("Settings"),
        (
            Entry(_("Sales terms"), "comptes:sales_terms", "scale"),
            Entry(_("Contract customisation"), "comptes:contract_settings", "document-text"),
            Entry(_("Mail customisation"), "comptes:mail_settings", "envelope"),
            Entry(_("Age brackets"), "hebergements:age_bracket_list", "user-group"),
            Entry(_("Formulas"), "reservations:formula_list", "queue-list"),
            Entry(_("Secure payment"), "comptes:payment_settings", "credit-card"),
        ),
    ),
)

#: The tourism office's staff space: its own menu (staff never see an owner's menu). Entries of
#: pages not built yet show disabled until their URL exists.
OFFICE_MENU: tuple[Section | Entry, ...] = (
    Section(
        _("My providers"),
        (
            Entry(_("Providers"), "offices:provider_list", "users"),
            Entry(_("Create a provider"), "offices:provider_create", "user-plus"),
            Entry(_("Production queue"), "offices:production_queue", "check-badge"),
            Entry(_("Office log"), "offices:office_log", "clipboard-document-list"),
        ),
    ),
    Section(
        _("My territory"),
        (
            Entry(_("Territory figures"), "offices:figures", "chart-bar"),
            Entry(_("Commission"), "offices:commission", "currency-euro"),
            Entry(_("Tourist tax"), "offices:tourist_tax_list", "receipt-percent"),
        ),
    ),
)

#: What an administrator (``is_superuser``) adds to it: offices and their staff.
ADMINISTRATOR_MENU: tuple[Section | Entry, ...] = (
    Section(
        _("Administration"),
        (Entry(_("Offices and staff"), "offices:office_list", "building-office-2"),),
    ),
)

ACCOUNT_MENU: tuple[Entry, ...] = (
    Entry(_("Edit my contact details"), "comptes:contact"),
    Entry(_("Login credentials"), "comptes:credentials"),
    Entry(_("Advanced settings"), "comptes:advanced"),
    Entry(_("My exports"), "comptes:export_list"),
    Entry(_("Access log"), "comptes:access_log"),
)


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def build_menu(current_path: str, items: tuple[Section | Entry, ...] = PROVIDER_MENU) -> list[dict]:
    """The sidebar as plain data for the template: sections, entries, url (None = disabled), active."""

    def entry_data(entry: Entry) -> dict:
        url = _resolve(entry.url_name)
        active = bool(url) and (current_path == url or (url != "/" and current_path.startswith(url)))
        return {"label": entry.label, "url": url, "icon": entry.icon, "active": active}

    menu = []
    for item in items:
        if isinstance(item, Section):
            menu.append({"label": item.label, "entries": [entry_data(e) for e in item.entries]})
        else:
            menu.append({"label": None, "entries": [entry_data(item)]})
    return menu


MENU_COOKIE = "menu_collapsed"


def _staff_context(request) -> dict:
    """The office staff space's menus (staff of an office, or an administrator on its pages)."""
    from comptes.decorators import is_administrator

    staff = getattr(request, "office", None) is not None
    administrator = is_administrator(request)
    if not staff and not (administrator and request.path.startswith("/office/")):
        return {}
    items = (OFFICE_MENU if staff else OFFICE_MENU[:1]) + (ADMINISTRATOR_MENU if administrator else ())
    return {
        "provider_menu": build_menu(request.path, items),
        "staff_space": True,
        "account_label": request.office.name if staff else _("Administration"),
        "account_menu": [],
        "menu_collapsed": request.COOKIES.get(MENU_COOKIE) == "1",
    }


def context(request) -> dict:
    """Template context processor: the menus, for provider back-office pages and the staff space."""
    if getattr(request, "provider", None) is None:
        return _staff_context(request) if hasattr(request, "office") else {}
    return {
        "provider_menu": build_menu(request.path),
        "account_menu": [{"label": e.label, "url": _resolve(e.url_name)} for e in ACCOUNT_MENU],
        "menu_collapsed": request.COOKIES.get(MENU_COOKIE) == "1",
        "search_url": _resolve("reservations:search"),
        "alerts_url": _resolve("reservations:alerts"),
    }

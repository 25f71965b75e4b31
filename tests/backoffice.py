"""The back office's URLs, filled with one tenant's object ids (``factories.make_rich_tenant``): the
permission matrix and the hostile-input test request every page through these."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def back_office_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            namespace = f"{prefix}{item.namespace}:" if item.namespace else prefix
            yield from back_office_patterns(item, namespace)
        elif isinstance(item, URLPattern) and getattr(item.callback, "provider_required", False):
            yield f"{prefix}{item.name}", item


# URL keyword argument → how to get provider A's object id for it.
OBJECT_IDS = {
    "lodging_pk": lambda a: a["lodging"].pk,
    "photo_pk": lambda a: a["photo"].pk,
    "supplement_pk": lambda a: a["supplement"].pk,
    "age_bracket_pk": lambda a: a["age_bracket"].pk,
    "stay_price_pk": lambda a: a["stay_price"].pk,
    "promotion_pk": lambda a: a["promotion"].pk,
    "promo_pk": lambda a: a["promo_code"].pk,
    "booking_pk": lambda a: a["booking"].pk,
    "payment_pk": lambda a: a["payment"].pk,
    "stay_pk": lambda a: a["stay"].pk,
    "booking_supplement_pk": lambda a: a["booking_supplement"].pk,
    "mail_pk": lambda a: a["mail"].pk,
    "client_pk": lambda a: a["client"].pk,
    "export_pk": lambda a: a["export"].pk,
    "companion_pk": lambda a: a["companion"].pk,
    "formula_pk": lambda a: a["formula"].pk,
    "block_pk": lambda a: a["imported_block"].pk,
}


# Other objects of the same kind, in another state, whose pages the hostile-input test visits too.
OTHER_OBJECTS = {
    "booking_pk": "cancelled_booking",
    "photo_pk": "second_photo",
    "mail_pk": "failed_mail",
}


def url_variants(name, pattern, objects) -> list[str]:
    """The URL with provider A's main objects, then with each other object of its kinds."""
    from django.urls import reverse

    url, _ = url_for(name, pattern, objects)
    urls = [url]
    keys = list(pattern.pattern.regex.groupindex)
    for key in keys:
        other = OTHER_OBJECTS.get(key)
        if other and other in objects:
            kwargs = {k: OBJECT_IDS[k](objects) for k in keys}
            kwargs[key] = objects[other].pk
            if key == "booking_pk" and len(keys) > 1:
                continue  # the other ids belong to the main file
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def url_for(name, pattern, objects):
    from django.urls import reverse

    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        assert key in OBJECT_IDS, f"{name}: add '{key}' to OBJECT_IDS so its isolation is tested"
        kwargs[key] = OBJECT_IDS[key](objects)
    return reverse(name, kwargs=kwargs), bool(kwargs)


# Query-string and posted parameter → provider A's object id for it (``common.params``).
PARAM_IDS = {
    "lodging": lambda a: a["lodging"].pk,
    "feed": lambda a: a["ical_feed"].pk,
}


# --- the office staff space (``comptes.decorators.office_required``) --------------------------------


def office_patterns(resolver=None, prefix="", attribute="office_required"):
    """Every URL of the staff space (views marked by ``office_required``), or with
    ``attribute="administrator_required"`` the administrators' screens."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            namespace = f"{prefix}{item.namespace}:" if item.namespace else prefix
            yield from office_patterns(item, namespace, attribute)
        elif isinstance(item, URLPattern) and getattr(item.callback, attribute, False):
            yield f"{prefix}{item.name}", item


# URL keyword argument of a staff page → the id of office X's object for it (``office_x`` of
# tests/test_office_isolation.py). A new staff URL with an unknown argument fails the isolation
# test until its isolation is covered.
OFFICE_IDS = {
    "provider_pk": lambda x: x["provider"].pk,
    "request_pk": lambda x: x["request"].pk,
    "office_pk": lambda x: x["office"].pk,
    "rate_pk": lambda x: x["rate"].pk,
    "departmental_pk": lambda x: x["departmental"].pk,
}


def office_url_for(name, pattern, objects):
    from django.urls import reverse

    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        assert key in OFFICE_IDS, f"{name}: add '{key}' to OFFICE_IDS so its isolation is tested"
        kwargs[key] = OFFICE_IDS[key](objects)
    return reverse(name, kwargs=kwargs), bool(kwargs)

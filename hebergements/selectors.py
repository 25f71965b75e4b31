"""Read-side queries shared by the HÉBERGEMENT pages and by the apps that build on lodgings."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Count, Prefetch, Q, QuerySet

from hebergements.models import AgeBracket, Characteristic, CharacteristicFamily, Lodging, Photo, Supplement


def lodging_list(*, archived: bool = False) -> QuerySet[Lodging]:
    """The provider's lodgings for a list: provider, commune and main photo in a constant number of
    queries (three), whatever the number of lodgings."""
    return (
        Lodging.objects.filter(archived=archived)
        .select_related("provider", "commune")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.filter(is_main=True), to_attr="main_photos")
        )
        .order_by("position", "number")
    )


def lodgings_active() -> QuerySet[Lodging]:
    """Lodgings that are not archived (the planning, the price and booking forms offer these)."""
    return Lodging.objects.active().select_related("provider")


def lodgings_offered(chosen: QuerySet[Lodging]) -> QuerySet[Lodging]:
    """What a "which lodgings" field offers: the active lodgings, and the archived ones already
    chosen (so saving the form again never drops them)."""
    return Lodging.objects.filter(Q(archived=False) | Q(pk__in=chosen.values("pk"))).order_by(
        "position", "number"
    )


def lodging_photos(*, lodging: Lodging) -> QuerySet[Photo]:
    return lodging.photos.order_by("position", "id")


def characteristic_catalogue() -> QuerySet[Characteristic]:
    return Characteristic.objects.select_related("family").order_by("family__position", "position", "id")


def characteristics_by_family(*, lodging: Lodging) -> list[tuple[CharacteristicFamily, list[Characteristic]]]:
    """The lodging's characteristics grouped by family, families and items in catalogue order."""
    items = lodging.characteristics.select_related("family").order_by("family__position", "position", "id")
    return [(family, list(group)) for family, group in groupby(items, key=lambda item: item.family)]


def supplement_list() -> QuerySet[Supplement]:
    """Mandatory supplements first, then optional ones, each with its lodgings (two queries)."""
    return Supplement.objects.prefetch_related(
        Prefetch("lodgings", queryset=Lodging.objects.order_by("position", "number"))
    ).order_by("-mandatory", "position", "id")


def supplements_for_lodging(*, lodging: Lodging, mandatory: bool | None = None) -> QuerySet[Supplement]:
    """The supplements that apply to a lodging. The booking flows add the mandatory ones to every stay
    of that lodging (``mandatory=True``) and offer the optional ones (``mandatory=False``)."""
    supplements = Supplement.objects.filter(lodgings=lodging)
    if mandatory is not None:
        supplements = supplements.filter(mandatory=mandatory)
    return supplements.order_by("-mandatory", "position", "id")


def age_bracket_list() -> QuerySet[AgeBracket]:
    return AgeBracket.objects.order_by("position", "-age_max")


def age_bracket_for_age(*, age: int) -> AgeBracket | None:
    """The bracket an occupant of ``age`` belongs to (ranges never overlap)."""
    return AgeBracket.objects.filter(age_min__lte=age, age_max__gte=age).first()


def lodging_counts() -> dict[str, int]:
    """How many lodgings are active and archived (for the list page's header)."""
    return Lodging.objects.aggregate(
        active=Count("pk", filter=Q(archived=False)), archived=Count("pk", filter=Q(archived=True))
    )

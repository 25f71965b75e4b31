"""The legal scale of the taxe de séjour for 2025 and 2026: loaded as rows by the migration
``0006_tourist_tax_2025_2026`` (and by the tests after a flush); a later year is a new row.

Sources:

* Code général des collectivités territoriales, **article L2333-30** (barème légal of the tax "au
  réel"): a rate per person and night for each category, between a floor and a ceiling; the limits
  are revalued each year in proportion to the consumer price index (excluding tobacco) of the year
  before last, rounded to the tenth of a euro. Unclassified lodgings (awaiting classification or
  without one): **1 % to 5 %** of the cost per person and night, capped at the highest rate the
  collectivity adopted or, if lower, at the ceiling of 4-star hotels.
* **Article L3333-1** CGCT: the additional departmental tax, **10 %** of the communal tax.

The base scale (limits in force in 2019) is 0,70–4,00 € (palaces), 0,70–3,00 € (5 stars),
0,70–2,30 € (4 stars), 0,50–1,50 € (3 stars), 0,30–0,90 € (2 stars), 0,20–0,80 € (1 star, chambres
d'hôtes). The 2025 and 2026 figures below are that base revalued with INSEE's yearly CPI excluding
tobacco (2018 +1,6 %, 2019 +0,9 %, 2020 +0,2 %, 2021 +1,6 %, 2022 +5,2 %, 2023 +4,8 %, 2024 +1,8 %)
and rounded to the tenth of a euro. **They were computed, not copied from the DGCL's published
table: check them against "Les tarifs de la taxe de séjour" (collectivites-locales.gouv.fr) before
relying on them** — an office can correct a row in the admin; the proportional and departmental
percentages are the law's own figures.
"""

from decimal import Decimal

SOURCE = (
    "CGCT art. L2333-30 (barème légal, limites revalorisées chaque année, arrondies au dixième d'euro; "
    "non classés 1 % à 5 % plafonné), art. L3333-1 (taxe additionnelle départementale 10 %)."
)

# year → category → (floor, ceiling), euros per person and night.
SCALES = {
    2025: {
        "palace": ("0.80", "4.60"),
        "5": ("0.80", "3.50"),
        "4": ("0.80", "2.60"),
        "3": ("0.60", "1.70"),
        "2": ("0.30", "1.00"),
        "1": ("0.20", "0.90"),
        "chambre_hotes": ("0.20", "0.90"),
    },
    2026: {
        "palace": ("0.80", "4.70"),
        "5": ("0.80", "3.50"),
        "4": ("0.80", "2.70"),
        "3": ("0.60", "1.80"),
        "2": ("0.40", "1.10"),
        "1": ("0.20", "0.90"),
        "chambre_hotes": ("0.20", "0.90"),
    },
}


def load_tourist_tax_scales(law_model, bound_model) -> None:
    """Write ``SCALES`` (models given: the migration's historical ones, or the current ones)."""
    for year, bounds in SCALES.items():
        law, _created = law_model.objects.update_or_create(
            year=year,
            defaults={
                "proportional_min": Decimal("1.00"),
                "proportional_max": Decimal("5.00"),
                "departmental_percent": Decimal("10.00"),
                "source": SOURCE,
            },
        )
        for category, (low, high) in bounds.items():
            bound_model.objects.update_or_create(
                law=law, category=category, defaults={"minimum": Decimal(low), "maximum": Decimal(high)}
            )

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

Starting point: the limits **published for 2024** (service-public.fr, "Taxe de séjour", barème
2024): palaces 0,70–4,60 €, 5 stars 0,70–3,30 €, 4 stars 0,70–2,50 €, 3 stars 0,50–1,60 €, 2 stars
0,30–1,00 €, 1 star and chambres d'hôtes 0,20–0,80 € (the 2020 table, 0,70–4,10 € for palaces…
0,20–0,80 € for 1 star, is the same scale four revaluations earlier). 2025 revalues them by INSEE's
2023 consumer price index excluding tobacco (+4,8 %), 2026 by 2024's (+1,8 %), each limit rounded
to the tenth of a euro the law's way (under 0,05 € dropped, 0,05 € and more counted as 0,10 €):
for instance 4,60 × 1,048 = 4,82 → 4,80 €, then 4,80 × 1,018 = 4,89 → 4,90 €; a floor of 0,70 €
needs +6,5 % to move, so the floors stay. **These two years are computed from the 2024 table, not
copied from the DGCL's own table: check them against "Les tarifs de la taxe de séjour"
(collectivites-locales.gouv.fr)**; an office's administrator can correct a row in the admin. The
proportional (1 %–5 %) and departmental (10 %) percentages are the law's own figures.
"""

from decimal import Decimal

SOURCE = (
    "CGCT art. L2333-30 (barème légal, limites revalorisées chaque année, arrondies au dixième d'euro; "
    "non classés 1 % à 5 % plafonné), art. L3333-1 (taxe additionnelle départementale 10 %)."
)

# year → category → (floor, ceiling), euros per person and night.
SCALES = {
    2025: {
        "palace": ("0.70", "4.80"),
        "5": ("0.70", "3.50"),
        "4": ("0.70", "2.60"),
        "3": ("0.50", "1.70"),
        "2": ("0.30", "1.00"),
        "1": ("0.20", "0.80"),
        "chambre_hotes": ("0.20", "0.80"),
    },
    2026: {
        "palace": ("0.70", "4.90"),
        "5": ("0.70", "3.60"),
        "4": ("0.70", "2.60"),
        "3": ("0.50", "1.70"),
        "2": ("0.30", "1.00"),
        "1": ("0.20", "0.80"),
        "chambre_hotes": ("0.20", "0.80"),
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

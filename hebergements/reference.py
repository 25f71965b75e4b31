"""Shared reference catalogues (not provider-owned): French communes, the equipment catalogue.

Loaded by data migrations; the loaders take the model class so that migrations pass their
historical model and tests can reload a catalogue after a transactional test flushed it.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "communes.csv.gz"


def load_communes(commune_model) -> int:
    """Insert the communes catalogue (Etalab "découpage administratif", MIT) when the table is empty."""
    if commune_model.objects.exists():
        return 0
    with gzip.open(COMMUNES_CSV, "rt", encoding="utf-8", newline="") as handle:
        rows = [
            commune_model(
                insee_code=r["insee_code"], name=r["name"], postcode=r["postcode"], department=r["department"]
            )
            for r in csv.DictReader(handle)
        ]
    commune_model.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# The equipment catalogue: family (code, French, English) → characteristics (code, French, English).
# Each name appears once in the whole catalogue (the manual warns against duplicates across tabs).
CHARACTERISTICS: tuple[tuple[tuple[str, str, str], tuple[tuple[str, str, str], ...]], ...] = (
    (
        ("interieur", "Équipements intérieurs", "Indoor equipment"),
        (
            ("salle-de-bain", "Salle de bain", "Bathroom"),
            ("douche", "Douche", "Shower"),
            ("baignoire", "Baignoire", "Bathtub"),
            ("wc-separes", "WC séparés", "Separate toilet"),
            ("lit-double", "Lit double", "Double bed"),
            ("lits-simples", "Lits simples", "Single beds"),
            ("lit-superpose", "Lit superposé", "Bunk bed"),
            ("canape-lit", "Canapé-lit", "Sofa bed"),
            ("cuisine-equipee", "Cuisine équipée", "Fitted kitchen"),
            ("lave-vaisselle", "Lave-vaisselle", "Dishwasher"),
            ("lave-linge", "Lave-linge", "Washing machine"),
            ("seche-linge", "Sèche-linge", "Tumble dryer"),
            ("refrigerateur", "Réfrigérateur", "Fridge"),
            ("congelateur", "Congélateur", "Freezer"),
            ("four", "Four", "Oven"),
            ("micro-ondes", "Four micro-ondes", "Microwave"),
            ("plaques-cuisson", "Plaques de cuisson", "Hob"),
            ("cafetiere", "Cafetière", "Coffee maker"),
            ("bouilloire", "Bouilloire", "Kettle"),
            ("grille-pain", "Grille-pain", "Toaster"),
            ("seche-cheveux", "Sèche-cheveux", "Hair dryer"),
            ("fer-a-repasser", "Fer à repasser", "Iron"),
            ("television", "Télévision", "Television"),
            ("tv-interactive", "TV interactive", "Smart TV"),
            ("lecteur-dvd", "Lecteur DVD", "DVD player"),
            ("telephone", "Téléphone direct", "Direct phone line"),
            ("cheminee", "Cheminée", "Fireplace"),
            ("poele-a-bois", "Poêle à bois", "Wood stove"),
            ("chauffage", "Chauffage", "Heating"),
            ("climatisation", "Climatisation", "Air conditioning"),
            ("coffre-fort", "Coffre-fort", "Safe"),
        ),
    ),
    (
        ("exterieur", "Équipements extérieurs", "Outdoor equipment"),
        (
            ("jardin", "Jardin", "Garden"),
            ("terrasse", "Terrasse", "Terrace"),
            ("balcon", "Balcon", "Balcony"),
            ("salon-de-jardin", "Salon de jardin", "Garden furniture"),
            ("barbecue", "Barbecue", "Barbecue"),
            ("piscine", "Piscine", "Swimming pool"),
            ("piscine-privee", "Piscine privée", "Private swimming pool"),
            ("spa", "Spa / jacuzzi", "Hot tub"),
            ("aire-de-jeux", "Aire de jeux", "Playground"),
            ("parking", "Parking", "Parking"),
            ("parking-prive", "Parking privé", "Private parking"),
            ("garage", "Garage", "Garage"),
            ("abri-velos", "Abri vélos", "Bicycle shelter"),
            ("local-a-skis", "Local à skis", "Ski room"),
        ),
    ),
    (
        ("services", "Services", "Services"),
        (
            ("wifi", "Internet sans fil", "Wireless internet"),
            ("internet", "Accès internet filaire", "Wired internet access"),
            ("animaux", "Animaux acceptés", "Pets allowed"),
            ("linge-fourni", "Linge de maison fourni", "Household linen provided"),
            ("draps-location", "Location de draps", "Bed linen for hire"),
            ("menage", "Ménage de fin de séjour", "End-of-stay cleaning"),
            ("petit-dejeuner", "Petit-déjeuner", "Breakfast"),
            ("accueil-velo", "Accueil vélo", "Cyclists welcome"),
            ("borne-recharge", "Borne de recharge électrique", "Electric vehicle charging point"),
            ("non-fumeur", "Non-fumeur", "Non-smoking"),
        ),
    ),
    (
        ("accessibilite", "Accessibilité", "Accessibility"),
        (
            ("fauteuil-roulant", "Accessible en fauteuil roulant", "Wheelchair accessible"),
            ("plain-pied", "Plain-pied", "Single-storey"),
            ("ascenseur", "Ascenseur", "Lift"),
            ("douche-italienne", "Douche à l’italienne", "Walk-in shower"),
            ("tourisme-handicap", "Label Tourisme & Handicap", "Tourisme & Handicap label"),
        ),
    ),
    (
        ("situation", "Situation", "Location"),
        (
            ("vue-montagne", "Vue sur la montagne", "Mountain view"),
            ("vue-mer", "Vue sur la mer", "Sea view"),
            ("centre-ville", "En centre-ville", "Town centre"),
            ("campagne", "À la campagne", "In the countryside"),
            ("proche-commerces", "Commerces à proximité", "Shops nearby"),
            ("proche-pistes", "Proche des pistes de ski", "Close to the ski slopes"),
        ),
    ),
)


def load_characteristics(family_model, characteristic_model) -> int:
    """Insert the missing families and characteristics of the catalogue (by code); returns how many."""
    created = 0
    for family_position, ((code, name_fr, name_en), items) in enumerate(CHARACTERISTICS):
        family, family_created = family_model.objects.get_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en, "position": family_position}
        )
        created += family_created
        existing = set(characteristic_model.objects.filter(family=family).values_list("code", flat=True))
        new = [
            characteristic_model(
                family=family, code=item_code, name_fr=item_fr, name_en=item_en, position=position
            )
            for position, (item_code, item_fr, item_en) in enumerate(items)
            if item_code not in existing
        ]
        characteristic_model.objects.bulk_create(new)
        created += len(new)
    return created


def load_reference_data() -> None:
    """Every reference catalogue, with the current models (tests, after a flush)."""
    from hebergements.models import Characteristic, CharacteristicFamily, Commune

    load_communes(Commune)
    load_characteristics(CharacteristicFamily, Characteristic)

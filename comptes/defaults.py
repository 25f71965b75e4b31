"""Default texts of the PARAMÈTRES pages, from the user manual, in French and in English.

These are content the owner edits (stored in the database per provider), not interface strings:
they are not translated through the catalogue. The French texts are the manual's ("Personnalisation
des contrats", "Personnalisation des mails"), with typographic apostrophes.
"""

from __future__ import annotations

import datetime

# Personnalisation des contrats > Partie 2 > Demande de signature d'un dossier en option
OPTION_SIGNATURE_FR = (
    "Je soussigné(e) (Nom)..... (Prénom)..... déclare être d’accord sur les termes de cette "
    "proposition de location de l’hébergement et les conditions générales de location.\n"
    "Fait à ..... Le .....\n"
    "(Signature du locataire précédée de la mention manuscrite « lu et approuvé »)"
)
OPTION_SIGNATURE_EN = (
    "I, the undersigned (Surname)..... (First name)....., agree to the terms of this booking "
    "proposal for the lodging and to the general rental conditions.\n"
    "Done at ..... On .....\n"
    "(Signature of the tenant preceded by the handwritten words “read and approved”)"
)

# … > Demande de signature du contrat
CONTRACT_SIGNATURE_FR = (
    "Je soussigné(e) (Nom)..... (Prénom)..... déclare être d’accord sur les termes de ce contrat "
    "et les conditions générales de location. Je déclare être titulaire d’une assurance "
    "responsabilité civile vie privée couvrant le risque locatif.\n"
    "Fait à ..... Le .....\n"
    "(Signature du locataire précédée de la mention manuscrite « lu et approuvé »)"
)
CONTRACT_SIGNATURE_EN = (
    "I, the undersigned (Surname)..... (First name)....., agree to the terms of this contract and "
    "to the general rental conditions. I declare that I hold a personal civil liability insurance "
    "covering the rental risk.\n"
    "Done at ..... On .....\n"
    "(Signature of the tenant preceded by the handwritten words “read and approved”)"
)

# … > Formule de politesse (contracts and mails)
POLITENESS_FR = (
    "Dans l’attente de vous accueillir prochainement, nous vous adressons nos sincères salutations."
)
POLITENESS_EN = "We look forward to welcoming you soon. Kind regards."

# … > Arrivée et départ du client (the manual's example: "entre 16 h 00 et 18 h 00", "avant 10 h 00")
ARRIVAL_FROM = datetime.time(16, 0)
ARRIVAL_UNTIL = datetime.time(18, 0)
DEPARTURE_BEFORE = datetime.time(10, 0)

# Personnalisation des mails > Mail automatique envoyé lors d'une réservation internet
BOOKING_SUBJECT_FR = "Votre réservation"
BOOKING_SUBJECT_EN = "Your booking"
BOOKING_INTRO_FR = "Bonjour,\nNous vous remercions pour votre réservation."
BOOKING_INTRO_EN = "Hello,\nThank you for your booking."

# … > Mail de notification d'option
OPTION_SUBJECT_FR = "Votre proposition de réservation"
OPTION_SUBJECT_EN = "Your booking proposal"
OPTION_INTRO_FR = (
    "Bonjour,\nVeuillez trouver ci-joint votre proposition de réservation, à nous renvoyer signée "
    "et accompagnée de votre règlement."
)
OPTION_INTRO_EN = (
    "Hello,\nPlease find attached your booking proposal, to be returned to us signed and with your payment."
)

from django.urls import path

from reservations.views import bookings, clients, documents, formulas, planning, suivi

app_name = "reservations"

urlpatterns = [
    path("tableau-de-bord/", suivi.dashboard, name="dashboard"),
    path("dossiers/", suivi.booking_list, name="booking_list"),
    path("dossiers/export/", suivi.booking_export, name="booking_export"),
    path("recherche/", suivi.search, name="search"),
    path("alertes/", suivi.alerts, name="alerts"),
    path("arrivees/", suivi.arrivals, name="arrivals"),
    path("departs/", suivi.departures, name="departures"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/export/", clients.client_export, name="client_export"),
    path("clients/<int:client_pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:client_pk>/fusionner/", clients.client_merge, name="client_merge"),
    path("planning/", planning.planning, name="planning"),
    path("planning/selection/", planning.planning_selection, name="planning_selection"),
    path("interdictions-de-vente/creer/", planning.prohibition_create, name="prohibition_create"),
    path("interdictions-de-vente/autoriser/", planning.prohibition_remove, name="prohibition_remove"),
    path("dossiers/creer/", bookings.booking_create, name="booking_create"),
    path("clients/options/", bookings.client_options, name="client_options"),
    path("dossiers/<int:booking_pk>/", bookings.booking_detail, name="booking_detail"),
    path("dossiers/<int:booking_pk>/confirmer/", bookings.booking_confirm, name="booking_confirm"),
    path("dossiers/<int:booking_pk>/accepter/", bookings.booking_online_accept, name="booking_online_accept"),
    path("dossiers/<int:booking_pk>/refuser/", bookings.booking_online_refuse, name="booking_online_refuse"),
    path(
        "dossiers/<int:booking_pk>/contrat-recu/", bookings.booking_contract_received, name="booking_contract"
    ),
    path("dossiers/<int:booking_pk>/acompte/", bookings.booking_deposit, name="booking_deposit"),
    path("dossiers/<int:booking_pk>/relances/", bookings.booking_reminders, name="booking_reminders"),
    path("dossiers/<int:booking_pk>/client/", bookings.booking_client, name="booking_client"),
    path("dossiers/<int:booking_pk>/note/", bookings.booking_note, name="booking_note"),
    path(
        "dossiers/<int:booking_pk>/note-interne/",
        bookings.booking_internal_note,
        name="booking_internal_note",
    ),
    path("dossiers/<int:booking_pk>/sejours/<int:stay_pk>/", bookings.stay_edit, name="stay_edit"),
    path("dossiers/<int:booking_pk>/formule/", bookings.booking_formula, name="booking_formula"),
    path(
        "dossiers/<int:booking_pk>/accompagnants/ajouter/", bookings.companion_create, name="companion_create"
    ),
    path(
        "dossiers/<int:booking_pk>/accompagnants/<int:companion_pk>/supprimer/",
        bookings.companion_delete,
        name="companion_delete",
    ),
    # Paramètres > Formules: the formulas a file may carry.
    path("parametres/formules/", formulas.formula_list, name="formula_list"),
    path("parametres/formules/<int:formula_pk>/", formulas.formula_edit, name="formula_edit"),
    path("parametres/formules/<int:formula_pk>/supprimer/", formulas.formula_delete, name="formula_delete"),
    path(
        "dossiers/<int:booking_pk>/supplements/ajouter/", bookings.supplement_create, name="supplement_create"
    ),
    path(
        "dossiers/<int:booking_pk>/supplements/<int:booking_supplement_pk>/supprimer/",
        bookings.supplement_delete,
        name="supplement_delete",
    ),
    path("dossiers/<int:booking_pk>/reglements/ajouter/", bookings.payment_create, name="payment_create"),
    path("dossiers/<int:booking_pk>/remboursements/ajouter/", bookings.refund_create, name="refund_create"),
    path(
        "dossiers/<int:booking_pk>/reglements/<int:payment_pk>/", bookings.payment_edit, name="payment_edit"
    ),
    path(
        "dossiers/<int:booking_pk>/reglements/<int:payment_pk>/supprimer/",
        bookings.payment_delete,
        name="payment_delete",
    ),
    path("dossiers/<int:booking_pk>/annuler/", bookings.booking_cancel, name="booking_cancel"),
    path("dossiers/<int:booking_pk>/supprimer/", bookings.booking_delete, name="booking_delete"),
    # The documents and mails of a file, "Mes relances".
    path("dossiers/<int:booking_pk>/edition/", documents.booking_documents, name="booking_documents"),
    path(
        "dossiers/<int:booking_pk>/edition/pdf/", documents.booking_contract_pdf, name="booking_contract_pdf"
    ),
    path("dossiers/<int:booking_pk>/edition/envoyer/", documents.booking_send, name="booking_send"),
    path(
        "dossiers/<int:booking_pk>/mails/<int:mail_pk>/renvoyer/",
        documents.booking_mail_resend,
        name="booking_mail_resend",
    ),
    path("relances/", documents.reminder_list, name="reminder_list"),
]

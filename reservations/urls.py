from django.urls import path

from reservations import views, views_clients, views_suivi

app_name = "reservations"

urlpatterns = [
    path("tableau-de-bord/", views_suivi.dashboard, name="dashboard"),
    path("dossiers/", views_suivi.booking_list, name="booking_list"),
    path("dossiers/export/", views_suivi.booking_export, name="booking_export"),
    path("recherche/", views_suivi.search, name="search"),
    path("alertes/", views_suivi.alerts, name="alerts"),
    path("arrivees/", views_suivi.arrivals, name="arrivals"),
    path("departs/", views_suivi.departures, name="departures"),
    path("clients/", views_clients.client_list, name="client_list"),
    path("clients/export/", views_clients.client_export, name="client_export"),
    path("clients/<int:client_pk>/", views_clients.client_detail, name="client_detail"),
    path("clients/<int:client_pk>/fusionner/", views_clients.client_merge, name="client_merge"),
    path("planning/", views.planning, name="planning"),
    path("planning/selection/", views.planning_selection, name="planning_selection"),
    path("interdictions-de-vente/creer/", views.prohibition_create, name="prohibition_create"),
    path("interdictions-de-vente/autoriser/", views.prohibition_remove, name="prohibition_remove"),
    path("dossiers/creer/", views.booking_create, name="booking_create"),
    path("clients/options/", views.client_options, name="client_options"),
    path("dossiers/<int:booking_pk>/", views.booking_detail, name="booking_detail"),
    path("dossiers/<int:booking_pk>/confirmer/", views.booking_confirm, name="booking_confirm"),
    path("dossiers/<int:booking_pk>/contrat-recu/", views.booking_contract_received, name="booking_contract"),
    path("dossiers/<int:booking_pk>/acompte/", views.booking_deposit, name="booking_deposit"),
    path("dossiers/<int:booking_pk>/relances/", views.booking_reminders, name="booking_reminders"),
    path("dossiers/<int:booking_pk>/client/", views.booking_client, name="booking_client"),
    path("dossiers/<int:booking_pk>/note/", views.booking_note, name="booking_note"),
    path(
        "dossiers/<int:booking_pk>/note-interne/", views.booking_internal_note, name="booking_internal_note"
    ),
    path("dossiers/<int:booking_pk>/sejours/<int:stay_pk>/", views.stay_edit, name="stay_edit"),
    path("dossiers/<int:booking_pk>/supplements/ajouter/", views.supplement_create, name="supplement_create"),
    path(
        "dossiers/<int:booking_pk>/supplements/<int:booking_supplement_pk>/supprimer/",
        views.supplement_delete,
        name="supplement_delete",
    ),
    path("dossiers/<int:booking_pk>/reglements/ajouter/", views.payment_create, name="payment_create"),
    path("dossiers/<int:booking_pk>/reglements/<int:payment_pk>/", views.payment_edit, name="payment_edit"),
    path(
        "dossiers/<int:booking_pk>/reglements/<int:payment_pk>/supprimer/",
        views.payment_delete,
        name="payment_delete",
    ),
    path("dossiers/<int:booking_pk>/annuler/", views.booking_cancel, name="booking_cancel"),
    path("dossiers/<int:booking_pk>/supprimer/", views.booking_delete, name="booking_delete"),
]

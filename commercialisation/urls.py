from django.urls import path, re_path

from commercialisation import views

app_name = "commercialisation"

TOKEN = r"(?P<token>[A-Za-z0-9_-]{20,64})"  # noqa: S105 - a URL pattern

urlpatterns = [
    path("codes-promo/", views.promo_code_list, name="promo_code_list"),
    path("codes-promo/ajouter/", views.promo_code_create, name="promo_code_create"),
    path("codes-promo/<int:promo_pk>/", views.promo_code_edit, name="promo_code_edit"),
    path("codes-promo/<int:promo_pk>/supprimer/", views.promo_code_delete, name="promo_code_delete"),
    path("moteurs-de-reservation/", views.widgets, name="widgets"),
    path("tests-de-reservation/", views.booking_tests, name="booking_tests"),
    path("tests-de-reservation/production/", views.booking_tests_request, name="booking_tests_request"),
    path("tests-de-reservation/supprimer/", views.booking_tests_delete, name="booking_tests_delete"),
    path("synchronisation-ical/", views.ical, name="ical"),
    path("synchronisation-ical/hebergement/<int:lodging_pk>/", views.lodging_ical, name="lodging_ical"),
    path(
        "synchronisation-ical/reservations/<int:block_pk>/creer-le-dossier/",
        views.block_booking_create,
        name="block_booking_create",
    ),
    # Public: the secret token is the only key (no login).
    re_path(rf"^ical/{TOKEN}\.ics$", views.ical_export, name="ical_export"),
    re_path(rf"^ical/{TOKEN}/(?P<feed_pk>[0-9]+)\.ics$", views.ical_export, name="ical_export_feed"),
]

from django.urls import path

from offices import views
from offices.territory import views as territory

app_name = "offices"

urlpatterns = [
    path("office/", views.provider_list, name="home"),  # the space opens on its providers
    path("office/prestataires/", views.provider_list, name="provider_list"),
    path("office/prestataires/export.xlsx", views.provider_export, name="provider_export"),
    path("office/prestataires/creer/", views.provider_create, name="provider_create"),
    path("office/prestataires/<int:provider_pk>/", views.provider_detail, name="provider_detail"),
    path("office/prestataires/<int:provider_pk>/invitation/", views.provider_invite, name="provider_invite"),
    path(
        "office/prestataires/<int:provider_pk>/desactiver/",
        views.provider_deactivate,
        name="provider_deactivate",
    ),
    path(
        "office/prestataires/<int:provider_pk>/repasser-en-test/",
        views.provider_to_test,
        name="provider_to_test",
    ),
    path("office/prestataires/<int:provider_pk>/consulter/", views.assist_start, name="assist_start"),
    path("office/consultation/quitter/", views.assist_exit, name="assist_exit"),
    path("office/journal/", views.office_log, name="office_log"),
    path("office/mises-en-production/", views.production_queue, name="production_queue"),
    path("office/mises-en-production/<int:request_pk>/", views.production_decide, name="production_decide"),
    path("office/administration/offices/", views.office_list, name="office_list"),
    path("office/administration/offices/<int:office_pk>/equipe/", views.office_staff, name="office_staff"),
]

# The territory: figures, commission, taxe de séjour (offices.territory).
urlpatterns += [
    path("office/statistiques/", territory.figures, name="figures"),
    path("office/commission/", territory.commission, name="commission"),
    path("office/commission/export/", territory.commission_export, name="commission_export"),
    path("office/communes/options/", territory.commune_options, name="commune_options"),
    path("office/taxe-de-sejour/", territory.tourist_tax_list, name="tourist_tax_list"),
    path("office/taxe-de-sejour/ajouter/", territory.tourist_tax_create, name="tourist_tax_create"),
    path("office/taxe-de-sejour/<int:rate_pk>/", territory.tourist_tax_edit, name="tourist_tax_edit"),
    path(
        "office/taxe-de-sejour/<int:rate_pk>/supprimer/",
        territory.tourist_tax_delete,
        name="tourist_tax_delete",
    ),
    path(
        "office/taxe-de-sejour/departement/",
        territory.tourist_tax_departmental_add,
        name="tourist_tax_departmental_add",
    ),
    path(
        "office/taxe-de-sejour/departement/<int:departmental_pk>/supprimer/",
        territory.tourist_tax_departmental_delete,
        name="tourist_tax_departmental_delete",
    ),
    path("office/taxe-de-sejour/declaration/", territory.tourist_tax_report, name="tourist_tax_report"),
    path(
        "office/taxe-de-sejour/declaration/export/",
        territory.tourist_tax_report_export,
        name="tourist_tax_report_export",
    ),
]

from django.urls import path

from offices import views
from offices.territory import views as territory

app_name = "offices"

urlpatterns = [
    path("office/", views.home, name="home"),
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

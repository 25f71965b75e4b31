from django.urls import path

from hebergements import views

app_name = "hebergements"

urlpatterns = [
    path("premiere-connexion/", views.wizard, name="wizard"),
    path("communes/options/", views.commune_options, name="commune_options"),
    # HÉBERGEMENT > Votre structure d'accueil
    path("structure/", views.structure, name="structure"),
    # HÉBERGEMENT > Accès aux hébergements
    path("hebergements/", views.lodging_list, name="lodging_list"),
    path("hebergements/ajouter/", views.lodging_create, name="lodging_create"),
    path("hebergements/<int:lodging_pk>/", views.lodging_edit, name="lodging_edit"),
    path("hebergements/<int:lodging_pk>/fiche/", views.lodging_detail, name="lodging_detail"),
    path("hebergements/<int:lodging_pk>/photos/", views.lodging_photo_add, name="lodging_photo_add"),
    path("hebergements/<int:lodging_pk>/visibilite/", views.lodging_visibility, name="lodging_visibility"),
    path("hebergements/<int:lodging_pk>/archiver/", views.lodging_archive, name="lodging_archive"),
    path("hebergements/<int:lodging_pk>/supprimer/", views.lodging_delete, name="lodging_delete"),
    path("photos/<int:photo_pk>/", views.photo_update, name="photo_update"),
    path("photos/<int:photo_pk>/deplacer/", views.photo_move, name="photo_move"),
    path("photos/<int:photo_pk>/principale/", views.photo_set_main, name="photo_set_main"),
    path("photos/<int:photo_pk>/supprimer/", views.photo_delete, name="photo_delete"),
    # HÉBERGEMENT > Suppléments
    path("supplements/", views.supplement_list, name="supplement_list"),
    path("supplements/ajouter/", views.supplement_create, name="supplement_create"),
    path("supplements/<int:supplement_pk>/", views.supplement_edit, name="supplement_edit"),
    path("supplements/<int:supplement_pk>/supprimer/", views.supplement_delete, name="supplement_delete"),
    # PARAMÈTRES > Tranches d'âge
    path("parametres/tranches-d-age/", views.age_bracket_list, name="age_bracket_list"),
    path("parametres/tranches-d-age/ajouter/", views.age_bracket_create, name="age_bracket_create"),
    path("parametres/tranches-d-age/<int:age_bracket_pk>/", views.age_bracket_edit, name="age_bracket_edit"),
    path(
        "parametres/tranches-d-age/<int:age_bracket_pk>/supprimer/",
        views.age_bracket_delete,
        name="age_bracket_delete",
    ),
    path(
        "parametres/tranches-d-age/<int:age_bracket_pk>/deplacer/",
        views.age_bracket_move,
        name="age_bracket_move",
    ),
]

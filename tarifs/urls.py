from django.urls import path

from tarifs import views

app_name = "tarifs"

urlpatterns = [
    path("tarifs/", views.stay_price_list, name="list"),
    path("tarifs/creer/", views.stay_price_create, name="create"),
    path("tarifs/creer/par-nuit/", views.stay_price_create_nightly, name="create_nightly"),
    path("tarifs/export.xlsx", views.stay_price_export, name="export"),
    path("tarifs/supprimer/", views.stay_price_delete, name="delete"),
    path("tarifs/<int:stay_price_pk>/modifier/", views.stay_price_update, name="stay_price_update"),
    path("promotions/", views.promotion_list, name="promotion_list"),
    path("promotions/creer/", views.promotion_create, name="promotion_create"),
    path("promotions/<int:promotion_pk>/modifier/", views.promotion_update, name="promotion_update"),
    path("promotions/<int:promotion_pk>/supprimer/", views.promotion_delete, name="promotion_delete"),
]

from django.urls import path

from offices import views

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
    path("office/mises-en-production/", views.production_queue, name="production_queue"),
    path("office/mises-en-production/<int:request_pk>/", views.production_decide, name="production_decide"),
    path("office/administration/offices/", views.office_list, name="office_list"),
    path("office/administration/offices/<int:office_pk>/equipe/", views.office_staff, name="office_staff"),
]

from django.urls import path, re_path

from commercialisation import views

app_name = "commercialisation"

TOKEN = r"(?P<token>[A-Za-z0-9_-]{20,64})"  # noqa: S105 - a URL pattern

urlpatterns = [
    path("synchronisation-ical/", views.ical, name="ical"),
    path("synchronisation-ical/hebergement/<int:lodging_pk>/", views.lodging_ical, name="lodging_ical"),
    # Public: the secret token is the only key (no login).
    re_path(rf"^ical/{TOKEN}\.ics$", views.ical_export, name="ical_export"),
    re_path(rf"^ical/{TOKEN}/(?P<feed_pk>[0-9]+)\.ics$", views.ical_export, name="ical_export_feed"),
]

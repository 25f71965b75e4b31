from django.urls import path

from hebergements import views

app_name = "hebergements"

urlpatterns = [
    path("communes/options/", views.commune_options, name="commune_options"),
]

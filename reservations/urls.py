from django.urls import path

from reservations import views

app_name = "reservations"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
]

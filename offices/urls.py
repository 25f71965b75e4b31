from django.urls import path

from offices import views

app_name = "offices"

urlpatterns = [
    path("office/", views.home, name="home"),
]

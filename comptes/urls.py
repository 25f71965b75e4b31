from django.urls import path

from comptes import views

app_name = "comptes"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("compte/coordonnees/", views.contact, name="contact"),
    path("compte/identifiants/", views.credentials, name="credentials"),
    path("compte/parametres-avances/", views.advanced, name="advanced"),
    path("compte/journal-des-acces/", views.access_log, name="access_log"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:export_pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_pk>/telecharger/", views.export_download, name="export_download"),
    path("parametres/modalites-de-vente/", views.sales_terms, name="sales_terms"),
    path("parametres/contrats/", views.contract_settings, name="contract_settings"),
    path("parametres/mails/", views.mail_settings, name="mail_settings"),
    path("parametres/paiement-securise/", views.payment_settings, name="payment_settings"),
]

"""URLs of the documents and mails of a booking file, and of "Mes relances" (namespace
``reservations``: ``openpro.urls`` includes them with ``reservations.urls``)."""

from django.urls import path

from reservations import documents_views as views

urlpatterns = [
    path("dossiers/<int:booking_pk>/edition/", views.booking_documents, name="booking_documents"),
    path("dossiers/<int:booking_pk>/edition/pdf/", views.booking_contract_pdf, name="booking_contract_pdf"),
    path("dossiers/<int:booking_pk>/edition/envoyer/", views.booking_send, name="booking_send"),
    path(
        "dossiers/<int:booking_pk>/mails/<int:mail_pk>/renvoyer/",
        views.booking_mail_resend,
        name="booking_mail_resend",
    ),
    path("relances/", views.reminder_list, name="reminder_list"),
]

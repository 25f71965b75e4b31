from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from comptes import views as comptes_views
from openpro import views

urlpatterns = [
    path("", comptes_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("comptes.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("comptes.urls")),
    path("", include("hebergements.urls")),
    path("", include("tarifs.urls")),
    path("", include("reservations.urls")),
    path("", include("factures.urls")),
    path("", include("commercialisation.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

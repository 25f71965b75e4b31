from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from comptes import views as comptes_views
from openpro import views

urlpatterns = [
    path("", comptes_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", views.csp_report, name="csp_report"),
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
    path("", include("commercialisation.public.urls")),
    path("", include("offices.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded photos and logos (public by nature). A deployment with a proxy or an S3-like
    # storage sets SERVE_MEDIA=0 and serves MEDIA_URL itself.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", views.media)]

"""Public URLs: /<lang>/… for every guest page (the language is part of the address, so a page
shared or framed keeps it, and no cookie is needed)."""

from django.urls import path, re_path

from commercialisation.public import views

app_name = "public"

urlpatterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("<str:lang>/marche/<slug:slug>/", views.office_search, name="office_search"),
    path("<str:lang>/marche/<slug:slug>/hebergement/<int:pk>/", views.office_lodging, name="office_lodging"),
    path(
        "<str:lang>/marche/<slug:slug>/hebergement/<int:pk>/reserver/",
        views.office_start,
        name="office_start",
    ),
    path("<str:lang>/site/<int:number>/", views.site_search, name="site_search"),
    path("<str:lang>/site/<int:number>/hebergement/<int:pk>/", views.site_lodging, name="site_lodging"),
    path("<str:lang>/site/<int:number>/hebergement/<int:pk>/reserver/", views.site_start, name="site_start"),
    # Test mode ("Tests de réservation"): the same pages behind the owner's signed link.
    path("<str:lang>/site/<int:number>/essai/<str:test>/", views.site_search, name="test_search"),
    path(
        "<str:lang>/site/<int:number>/essai/<str:test>/hebergement/<int:pk>/",
        views.site_lodging,
        name="test_lodging",
    ),
    path(
        "<str:lang>/site/<int:number>/essai/<str:test>/hebergement/<int:pk>/reserver/",
        views.site_start,
        name="test_start",
    ),
    path("<str:lang>/reservation/<str:token>/<str:step>/", views.journey_step, name="journey"),
    # Widgets: the same pages, compact, framable by any site, every link staying in the frame.
    path("<str:lang>/widget/marche/<slug:slug>/", views.widget_office_search, name="widget_office_search"),
    path(
        "<str:lang>/widget/marche/<slug:slug>/hebergement/<int:pk>/",
        views.widget_office_lodging,
        name="widget_office_lodging",
    ),
    path(
        "<str:lang>/widget/marche/<slug:slug>/hebergement/<int:pk>/reserver/",
        views.widget_office_start,
        name="widget_office_start",
    ),
    path("<str:lang>/widget/site/<int:number>/", views.widget_site_search, name="widget_site_search"),
    path(
        "<str:lang>/widget/site/<int:number>/planning/",
        views.widget_site_planning,
        name="widget_site_planning",
    ),
    path(
        "<str:lang>/widget/site/<int:number>/hebergement/<int:pk>/",
        views.widget_site_lodging,
        name="widget_site_lodging",
    ),
    path(
        "<str:lang>/widget/site/<int:number>/hebergement/<int:pk>/reserver/",
        views.widget_site_start,
        name="widget_site_start",
    ),
    # The provider's widgets in test mode, behind the same signed link.
    path(
        "<str:lang>/widget/site/<int:number>/essai/<str:test>/",
        views.widget_site_search,
        name="widget_test_search",
    ),
    path(
        "<str:lang>/widget/site/<int:number>/essai/<str:test>/planning/",
        views.widget_site_planning,
        name="widget_test_planning",
    ),
    path(
        "<str:lang>/widget/site/<int:number>/essai/<str:test>/hebergement/<int:pk>/",
        views.widget_site_lodging,
        name="widget_test_lodging",
    ),
    path(
        "<str:lang>/widget/site/<int:number>/essai/<str:test>/hebergement/<int:pk>/reserver/",
        views.widget_site_start,
        name="widget_test_start",
    ),
    re_path(r"^widget/couleur/(?P<color>[0-9a-f]{6})\.css$", views.widget_theme, name="widget_theme"),
]

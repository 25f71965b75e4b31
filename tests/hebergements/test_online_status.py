"""Issue #17 item 5: "Visible sur internet avec autorisation de réservation" only when a guest could
really book the lodging; otherwise what is missing, each point with the page that fixes it. The
same rule as the public catalogue's (``hebergements.online``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commercialisation.public.catalogue import Channel, public_lodgings
from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Lodging
from hebergements.online import online_status
from tests import factories

pytestmark = pytest.mark.django_db

BOOKABLE = "Visible sur internet avec autorisation de réservation"
HIDDEN = "Non visible sur internet"
INCOMPLETE = "Visible sur internet, pas encore réservable"
LIST = reverse("hebergements:lodging_list")


def prices_soon(lodging, *, start_in: int = 10, days: int = 30):
    today = timezone.localdate()
    factories.make_stay_prices(
        lodging, start=today + timedelta(days=start_in), end=today + timedelta(days=start_in + days)
    )


@pytest.fixture
def seller(db):
    office = factories.make_office(slug="ariege")
    return factories.make_seller(office, number=92750, email="dupont.marie@test.com", last_name="Dupont")


@pytest.fixture
def bookable(seller):
    lodging = factories.make_lodging(seller)
    prices_soon(lodging)
    return lodging


def status_of(lodging):
    with provider_scope(lodging.provider):
        lodging = Lodging.objects.select_related("provider").get(pk=lodging.pk)
        return online_status(lodging)


def missing_keys(lodging) -> list[str]:
    return [missing.key for missing in status_of(lodging).missing]


def in_catalogue(lodging) -> bool:
    with scopes_disabled():
        provider = Provider.objects.get(pk=lodging.provider_id)
        return public_lodgings(Channel(office=provider.office)).filter(pk=lodging.pk).exists()


def test_a_new_owners_lodging_says_everything_that_is_missing(provider, lodging):
    status = status_of(lodging)
    assert not status.bookable and status.label == INCOMPLETE
    assert [m.key for m in status.missing] == ["prices", "terms", "online_booking", "production"]
    links = {m.key: m.url for m in status.missing}
    assert links == {
        "prices": f"{reverse('tarifs:create')}?lodging={lodging.pk}",
        "terms": reverse("comptes:sales_terms"),
        "online_booking": reverse("comptes:sales_terms"),
        "production": reverse("commercialisation:booking_tests"),
    }
    assert all(m.label and m.link_label for m in status.missing)


def test_bookable_exactly_when_the_public_catalogue_sells_it(bookable):
    status = status_of(bookable)
    assert status.bookable and status.missing == () and status.label == BOOKABLE
    assert in_catalogue(bookable)


def test_hidden_lodging_is_not_visible_and_not_in_the_catalogue(bookable):
    with provider_scope(bookable.provider):
        Lodging.objects.filter(pk=bookable.pk).update(visibility=Lodging.Visibility.HIDDEN)
    status = status_of(bookable)
    assert status.label == HIDDEN and [m.key for m in status.missing] == ["visible"]
    assert status.missing[0].url == reverse(
        "hebergements:lodging_visibility", kwargs={"lodging_pk": bookable.pk}
    )
    assert not in_catalogue(bookable)


def test_prices_more_than_six_months_ahead_do_not_count(seller):
    lodging = factories.make_lodging(seller)
    prices_soon(lodging, start_in=190, days=20)
    assert missing_keys(lodging) == ["prices"]
    prices_soon(lodging, start_in=170, days=20)  # some arrive within the 183 days
    assert missing_keys(lodging) == []


def test_provider_points_follow_the_sales_terms_and_the_status(seller, bookable):
    from comptes.models import ProviderSettings

    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(online_booking=False)
    assert missing_keys(bookable) == ["online_booking"]
    assert not in_catalogue(bookable)
    with scopes_disabled():
        ProviderSettings.objects.filter(provider=seller).update(online_booking=True)
        Provider.objects.filter(pk=seller.pk).update(status=Provider.Status.TEST)
    assert missing_keys(bookable) == ["production"]
    assert not in_catalogue(bookable)
    with scopes_disabled():
        Provider.objects.filter(pk=seller.pk).update(
            status=Provider.Status.PRODUCTION, deactivated_at=timezone.now()
        )
    assert missing_keys(bookable) == ["active"]
    assert not in_catalogue(bookable)


def test_an_archived_lodging_says_so(bookable):
    with provider_scope(bookable.provider):
        Lodging.objects.filter(pk=bookable.pk).update(archived=True)
    assert missing_keys(bookable) == ["archived"]
    assert status_of(bookable).missing[0].url == f"{LIST}?archives=1"  # where "Restore" is
    assert not in_catalogue(bookable)


# --- the pages that show it --------------------------------------------------------------------


def test_lodging_list_shows_the_honest_status_with_links(owner_client, provider, lodging):
    html = owner_client.get(LIST).text
    assert INCOMPLETE in html and BOOKABLE not in html
    assert "Aucun tarif de séjour dans les 6 prochains mois." in html
    assert f'href="{reverse("tarifs:create")}?lodging={lodging.pk}"' in html
    assert f'href="{reverse("comptes:sales_terms")}"' in html
    assert f'href="{reverse("commercialisation:booking_tests")}"' in html


def test_lodging_list_and_page_say_bookable_when_it_is(client, bookable):
    client.force_login(factories.owner_of(bookable.provider))
    html = client.get(LIST).text
    assert BOOKABLE in html and INCOMPLETE not in html
    page = client.get(reverse("hebergements:lodging_edit", kwargs={"lodging_pk": bookable.pk})).text
    assert 'data-testid="online-status"' in page and "online-status-bookable" in page


def test_lodging_list_status_is_a_constant_number_of_queries(client, seller, django_assert_max_num_queries):
    client.force_login(factories.owner_of(seller))
    factories.make_lodging(seller)
    with django_assert_max_num_queries(30) as small:
        client.get(LIST)
    for n in range(6):
        prices_soon(factories.make_lodging(seller, name=f"Gîte {n}"), days=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(LIST).text.count('data-testid="online-status"') == 7


# --- the visibility window ----------------------------------------------------------------------


def window_url(lodging, next_url="/planning/?debut=2030-06-15"):
    return reverse("hebergements:lodging_visibility", kwargs={"lodging_pk": lodging.pk}) + f"?next={next_url}"


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "planning-dialog-content"}


def test_the_window_in_the_planning_dialog_changes_the_visibility_and_refreshes_the_status(client, bookable):
    client.force_login(factories.owner_of(bookable.provider))
    html = client.get(window_url(bookable), **HTMX).text
    assert "<html" not in html and 'id="planning-dialog-title"' in html
    assert 'name="visibility" value="visible"' in html and 'name="visibility" value="hidden"' in html
    assert BOOKABLE in html

    response = client.post(
        window_url(bookable),
        {"visibility": "hidden", "next": "/planning/?debut=2030-06-15"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="visibility-window",
    )
    html = response.text
    assert response.status_code == 200 and "La visibilité est enregistrée." in html
    # The planning's copy of the status, swapped out of band, still opens the window.
    oob = html[html.index(f'id="online-status-{bookable.pk}"') :]
    assert 'hx-swap-oob="true"' in oob[:200] and HIDDEN in oob and "data-planning-dialog" in oob
    with provider_scope(bookable.provider):
        assert Lodging.objects.get(pk=bookable.pk).visibility == Lodging.Visibility.HIDDEN


def test_the_window_refuses_a_bad_choice_next_to_the_field(client, bookable):
    client.force_login(factories.owner_of(bookable.provider))
    response = client.post(
        window_url(bookable),
        {"visibility": "everywhere"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="visibility-window",
    )
    assert response.status_code == 200
    assert 'id="id_visibility_error"' in response.text and "Choisissez une visibilité." in response.text
    assert "hx-swap-oob" not in response.text
    with provider_scope(bookable.provider):
        assert Lodging.objects.get(pk=bookable.pk).visibility == Lodging.Visibility.VISIBLE


def test_without_htmx_the_window_is_a_page_that_leads_back(client, bookable):
    client.force_login(factories.owner_of(bookable.provider))
    html = client.get(window_url(bookable)).text
    assert "<h1>Visibilité · Petit coin de paradis</h1>" in html
    response = client.post(window_url(bookable), {"visibility": "hidden"})
    assert response.status_code == 302 and response["Location"] == "/planning/?debut=2030-06-15"
    response = client.post(window_url(bookable, next_url="https://evil.example/"), {"visibility": "visible"})
    assert response["Location"] == LIST


def test_the_planning_status_opens_the_window(client, bookable):
    client.force_login(factories.owner_of(bookable.provider))
    html = client.get(reverse("reservations:planning"), {"debut": "2030-06-15"}).text
    expected = window_url(bookable, "%2Fplanning%2F%3Fdebut%3D2030-06-15").replace("&", "&amp;")
    assert f'<a href="{expected}" data-planning-dialog' in html
    assert BOOKABLE in html

import pytest
from django.urls import reverse

from comptes.models import Provider
from comptes.scoping import provider_scope, scopes_disabled
from hebergements.models import Lodging
from tests.factories import foix, make_provider, owner_of

pytestmark = pytest.mark.django_db

WIZARD = reverse("hebergements:wizard")

CONTACT = {
    "step": "contact",
    "company": "Hébergement - Place de marché",
    "civility": "mme",
    "last_name": "Dupont",
    "first_name": "Marie",
    "address": "Boulevard du sud",
    "postcode": "09000",
    "city": "FOIX",
    "country": "France",
    "phone1": "0500000000",
    "email": "dupont.marie@test.com",
}


@pytest.fixture
def new_provider():
    return make_provider(number=92750, email="dupont.marie@test.com", setup_complete=False, last_name="?")


@pytest.fixture
def new_client(client, new_provider):
    client.force_login(owner_of(new_provider))
    return client


def lodging_data(**overrides):
    data = {
        "step": "lodging",
        "name": "Petit coin de paradis",
        "has_stock": "False",
        "stock_units": "1",
        "lodging_type": "maison",
        "classification": "non_classe",
        "address": "Boulevard du sud",
        "commune": str(foix().pk),
        "capacity_min": "1",
        "capacity_max": "4",
        "description_fr": "Maison au calme.",
    }
    data.update(overrides)
    return data


def test_a_provider_without_lodging_is_sent_to_the_wizard(new_client):
    response = new_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == WIZARD
    assert new_client.get(reverse("reservations:dashboard"))["Location"] == WIZARD
    assert new_client.get(reverse("comptes:contact"))["Location"] == WIZARD


def test_contact_tab_with_missing_fields_shows_errors_and_saves_nothing(new_client, new_provider):
    response = new_client.post(WIZARD, {**CONTACT, "last_name": "", "email": "not-an-email"})
    assert response.status_code == 200
    html = response.text
    assert 'id="id_last_name_error"' in html
    assert 'id="id_email_error"' in html
    with scopes_disabled():
        assert Provider.objects.get(pk=new_provider.pk).last_name == "?"
    assert "setup_wizard_contact" not in new_client.session


def test_lodging_tab_with_missing_fields_shows_errors_and_saves_nothing(new_client, new_provider):
    assert new_client.post(WIZARD, CONTACT).status_code == 302
    response = new_client.post(
        WIZARD, lodging_data(name="", commune="", description_fr="", capacity_min="5", capacity_max="2")
    )
    assert response.status_code == 200
    for field in ("name", "commune", "description_fr", "capacity_max"):
        assert f'id="id_{field}_error"' in response.text, field
    with scopes_disabled():
        assert not Lodging.objects.exists()
        provider = Provider.objects.get(pk=new_provider.pk)
    assert provider.last_name == "?"  # the contact tab is written only with the lodging
    assert provider.setup_completed_at is None


def test_completing_the_wizard_creates_the_first_lodging(new_client, new_provider):
    new_client.post(WIZARD, CONTACT)
    response = new_client.post(WIZARD, lodging_data())
    assert response["Location"] == reverse("reservations:dashboard")
    with provider_scope(new_provider):
        lodging = Lodging.objects.select_related("provider").get()
        assert lodging.reference == "OSMB-92750-1"
        assert lodging.commune.name == "Foix"
        provider = Provider.objects.get(pk=new_provider.pk)
    assert provider.last_name == "Dupont"
    assert provider.is_setup_complete
    assert new_client.get(WIZARD)["Location"] == reverse("reservations:dashboard")


def test_lodging_tab_needs_the_contact_tab_first(new_client):
    response = new_client.get(WIZARD + "?step=lodging")
    assert 'name="last_name"' in response.text


def test_commune_search_by_name_and_postcode(new_client):
    by_name = new_client.get(reverse("hebergements:commune_options"), {"q": "foix"}).text
    assert "Foix (09000)" in by_name
    by_postcode = new_client.get(reverse("hebergements:commune_options"), {"q": "09000"}).text
    assert "Foix (09000)" in by_postcode
    accents = new_client.get(reverse("hebergements:commune_options"), {"q": "ariege"}).text
    assert "<option" in accents


def test_a_postcode_of_several_communes_makes_the_owner_pick(new_client):
    """09000 is Arabaux, Foix, Ganac…: none is chosen for the owner; a single match is."""
    options = new_client.get(reverse("hebergements:commune_options"), {"q": "09000"}).text
    first = options.split("</option>")[0]
    assert first.startswith('<option value="" selected>Choisissez la commune (') and "trouvées)" in first
    assert "Arabaux (09000)" in options and "Foix (09000)" in options
    assert options.count(" selected") == 1
    single = new_client.get(reverse("hebergements:commune_options"), {"q": "foix"}).text
    assert '" selected>Foix (09000)</option>' in single

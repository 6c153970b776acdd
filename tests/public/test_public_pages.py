"""The public pages on the demo: local contacts (F08), the catalogue's search and filters, a
collectivité's page, the how-to-join pages reading the campaign."""

import pytest
from django.db import connection

from public.models import CatalogueEntry
from referential.models import Authority
from tests.web.html import text_of

pytestmark = pytest.mark.django_db


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return text_of(response.content.decode())


def test_f08_a_postcode_gives_the_referents_of_its_departement(demo, client):
    page = text(client, "/contacts/?q=38000")
    assert "Isère (38)" in page
    assert "pref-integration-38@demo.territoires-integration.fr" in page
    assert "contact-diar@interieur.gouv.fr" in page  # the national mailboxes (Diair, Ministère)
    assert "sdie-dian-dgef@interieur.gouv.fr" in page


def test_f08_a_commune_name_gives_the_referents_of_its_departement(demo, client):
    page = text(client, "/contacts/?q=Dijon")
    assert "Côte-d'Or (21)" in page
    assert "pref-integration-21@demo.territoires-integration.fr" in page


def test_f08_an_unknown_commune_says_so(demo, client):
    assert "Aucune commune ne correspond à « Zzzyx »." in text(client, "/contacts/?q=Zzzyx")


def test_the_catalogue_searches_in_french_and_filters(demo, client):
    all_count = CatalogueEntry.objects.count()
    assert f"{all_count} actions" in text(client, "/actions-financees/")
    housing = text(client, "/actions-financees/?q=logement")
    assert "Aucune action." not in housing
    if connection.vendor == "postgresql":
        # French stemming over accent-folded text: the plural and the accents do not matter.
        assert "Aucune action." not in text(client, "/actions-financees/?q=Logements")
    isere = text(client, "/actions-financees/?department=38")
    count = CatalogueEntry.objects.filter(department__code="38").count()
    assert f"{count} action" in isere
    assert "0 action" in text(client, "/actions-financees/?min_amount=999999999")


def test_a_bad_filter_answers_a_french_message_not_an_error(demo, client):
    page = text(client, "/actions-financees/?year=abc")
    assert "Saisissez un nombre entier." in page


def test_a_collectivite_with_nothing_funded_has_no_public_page(demo, client):
    nothing = (
        Authority.objects.filter(kind="commune")
        .exclude(pk__in=CatalogueEntry.objects.values("authority_id"))
        .exclude(insee_code="86194")
    )
    assert client.get(f"/territoires/{nothing.first().pk}/").status_code == 404


def test_f43_poitiers_page_shows_its_signed_ctai_and_its_committed_year(demo, client):
    poitiers = Authority.objects.get(kind="commune", insee_code="86194")
    page = text(client, f"/territoires/{poitiers.pk}/")
    assert "CTAI signé le" in page
    assert "200 000,00 €" in page


def test_f18_how_to_sign_a_ctai_reads_the_deadline_and_amounts_of_the_campaign(demo, client):
    page = text(client, "/comment-signer-un-ctai/")
    assert "31/12/2022" in page  # campaign 2022's letter deadline
    assert "150 000,00 €" in page
    assert "logement" in page

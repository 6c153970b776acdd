"""The public home presents the programme from the 2021 flyer."""

from html import unescape

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return " ".join(unescape(response.content.decode()).split())


def test_f01_two_instruments_ctai_and_ptai(home):
    assert "Les CTAI : une stratégie d'ensemble" in home
    assert "Les PTAI : financer des projets" in home
    assert "9 millions d'euros" in home


def test_f02_f04_f05_f06_definitions_of_primo_arrivant_and_bpi(home):
    assert "ressortissant d'un pays tiers à l'Union européenne" in home
    for excluded in (
        "étudiants internationaux",
        "demandeurs d'asile",
        "mineurs non accompagnés",
        "situation irrégulière",
    ):
        assert excluded in home
    assert "statut de réfugié" in home
    assert "protection subsidiaire" in home
    assert "Un BPI est aussi un étranger primo-arrivant." in home


def test_f08_national_contacts(home):
    assert "mailto:contact-diar@interieur.gouv.fr" in home
    assert "mailto:sdie-dian-dgef@interieur.gouv.fr" in home
    assert "Vos contacts locaux" in home


def test_f10_f30_who_can_apply(home):
    assert "Métropoles, communautés urbaines, départements et régions volontaires" in home
    assert "Toute collectivité" in home


def test_header_has_the_republique_francaise_block_and_the_service_name(home):
    assert "République" in home and "française" in home
    assert "Territoires d'intégration</p>" in home
    assert 'href="#content"' in home  # skip link

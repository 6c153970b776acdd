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


def test_f03_f15_the_years_figures_come_from_the_current_campaign(client):
    """F03, F15: the national envelope and the CTAI's socle are the current campaign's parameters,
    not words of the template: an administrator's change shows at once."""
    from programme.models import Campaign
    from tests.web.html import text_of

    def text() -> str:
        return text_of(client.get("/").content.decode())

    assert "Pour la campagne 2022, l'État mobilise 9 000 000,00 €" in text()
    assert "un socle de 150 000,00 € à 300 000,00 €" in text()
    Campaign.objects.filter(year=2022).update(national_envelope=12_500_000, base_max=350_000)
    assert "Pour la campagne 2022, l'État mobilise 12 500 000,00 €" in text()
    assert "à 350 000,00 €" in text()


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

"""A collectivité named as an official letter names it: « Madame la Maire, Monsieur le Maire / Mairie
de Voiron / 38500 Voiron », « la commune de Voiron a sollicité », « le Département de l'Isère »."""

import pytest

from referential.enums import AuthorityKind
from referential.models import Authority
from referential.naming import letter_name, of_commune

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Voiron", "de Voiron"),
        ("Annecy", "d'Annecy"),
        ("Le Havre", "du Havre"),
        ("Les Ulis", "des Ulis"),
        ("La Rochelle", "de La Rochelle"),
        ("Évry-Courcouronnes", "d'Évry-Courcouronnes"),
    ],
)
def test_a_commune_after_de(name, expected):
    assert of_commune(name) == expected


def test_a_commune_is_addressed_to_its_mayor_at_the_mairie():
    voiron = Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code="38563")
    name = letter_name(voiron)
    assert name.title == "Commune de Voiron"
    assert name.in_sentence == "la commune de Voiron"
    assert name.addressee == "Madame la Maire, Monsieur le Maire"
    assert name.recipient_lines == ("Madame la Maire, Monsieur le Maire", "Mairie de Voiron", "38500 Voiron")


def test_a_departement_council_and_a_metropole_keep_their_name_with_the_right_article():
    isere = Authority.objects.get(kind=AuthorityKind.DEPARTEMENT, insee_code="38")
    assert letter_name(isere).in_sentence == "le Département de l'Isère"
    assert "conseil départemental" in letter_name(isere).addressee
    grenoble = Authority.objects.get(siren="200040715")
    assert letter_name(grenoble).in_sentence == "Grenoble-Alpes-Métropole"
    assert letter_name(grenoble).recipient_lines == (
        "Madame la Présidente, Monsieur le Président de la métropole",
        "Grenoble-Alpes-Métropole",
    )
    assert letter_name(Authority.objects.get(siren="243800984")).in_sentence == "la CA du Pays Voironnais"
    assert letter_name(Authority.objects.get(siren="246700488")).in_sentence == "l'Eurométropole de Strasbourg"
    lyon = Authority.objects.get(kind=AuthorityKind.EPCI, epci_nature="MET69")
    assert letter_name(lyon).in_sentence == "la Métropole de Lyon"

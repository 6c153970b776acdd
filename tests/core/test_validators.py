import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import siret_is_valid, validate_rna, validate_siret
from tests.factories import with_luhn_key


def test_real_siret_of_the_ministry_of_the_interior_is_valid():
    # Ministère de l'Intérieur, place Beauvau: SIREN 110 014 016.
    assert siret_is_valid(with_luhn_key("1100140160001"))


def test_la_poste_rule():
    assert siret_is_valid("35600000000048")  # La Poste's head office: the Luhn key holds
    assert siret_is_valid("35600000012346")  # an office: digits sum to 30, a multiple of 5
    assert not siret_is_valid("35600000012345")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234", "14 chiffres"),
        ("abcdefghijklmn", "14 chiffres"),
        ("12345678900011", "clé de contrôle"),
    ],
)
def test_french_messages(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_siret(value)


def test_spaces_are_allowed_in_what_people_type():
    validate_siret("123 456 789 00015")


@given(st.from_regex(r"[1-9][0-9]{12}", fullmatch=True), st.integers(0, 12), st.integers(1, 9))
def test_changing_one_digit_breaks_the_key(first13, position, delta):
    siret = with_luhn_key(first13)
    assert siret_is_valid(siret) or siret.startswith("356000000")
    digits = list(siret)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    if not changed.startswith("356000000"):
        assert not siret_is_valid(changed)


def test_rna():
    validate_rna("W381000001")
    with pytest.raises(ValidationError, match="W suivi de 9"):
        validate_rna("381000001")

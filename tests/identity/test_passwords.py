"""Password rules: Django's and a French list of common passwords, also behind digits and signs."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from identity.passwords import FrenchCommonPasswordValidator, word_of

pytestmark = pytest.mark.django_db

REFUSED = [
    "motdepasse123",
    "Motdepasse2026!",
    "azertyuiop12",
    "Marseille13!!",
    "jetaime123456",
    "Soleil-2026-!",
    "password2024!",
]


@pytest.mark.parametrize("password", REFUSED)
def test_a_common_french_password_is_refused_even_followed_by_digits(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert "Ce mot de passe est trop courant" in " ".join(refused.value.messages)


@pytest.mark.parametrize("password", ["territoires-demo-2026", "Vélo rouge du canal 42", "x7#Kp9!qLm2@wR"])
def test_an_uncommon_password_of_twelve_characters_is_accepted(password: str) -> None:
    validate_password(password)


def test_the_word_of_a_password_drops_digits_signs_and_accents() -> None:
    assert word_of("Mot-de-passe 2026 !") == "motdepasse"
    assert word_of("Élodie1990") == "elodie"
    assert word_of("123456") == ""


def test_the_validator_says_its_rule_in_french() -> None:
    assert "mot de passe courant" in FrenchCommonPasswordValidator().get_help_text()

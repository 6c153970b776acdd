"""Amounts in French words, as printed on the décision attributive."""

from decimal import Decimal

import pytest

from documents.words import euros_in_words, integer_in_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "un"),
        (16, "seize"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (22, "vingt-deux"),
        (70, "soixante-dix"),
        (71, "soixante et onze"),
        (72, "soixante-douze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (91, "quatre-vingt-onze"),
        (99, "quatre-vingt-dix-neuf"),
        (100, "cent"),
        (101, "cent un"),
        (200, "deux cents"),
        (201, "deux cent un"),
        (1000, "mille"),
        (1080, "mille quatre-vingts"),
        (2000, "deux mille"),
        (80_000, "quatre-vingt mille"),
        (200_000, "deux cent mille"),
        (150_000, "cent cinquante mille"),
        (1_000_000, "un million"),
        (2_000_000, "deux millions"),
        (200_000_000, "deux cents millions"),
        (1_234_567, "un million deux cent trente-quatre mille cinq cent soixante-sept"),
        (3_000_000_000, "trois milliards"),
    ],
)
def test_integer_in_words(number, words):
    assert integer_in_words(number) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("150000"), "cent cinquante mille euros"),
        (Decimal("50000.00"), "cinquante mille euros"),
        (Decimal("1"), "un euro"),
        (Decimal("0.50"), "zéro euro et cinquante centimes"),
        (Decimal("1.01"), "un euro et un centime"),
        (Decimal("1000000"), "un million d'euros"),
        (Decimal("1000200"), "un million deux cents euros"),
        (Decimal("12345.678"), "douze mille trois cent quarante-cinq euros et soixante-huit centimes"),
    ],
)
def test_euros_in_words(amount, words):
    assert euros_in_words(amount) == words


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        euros_in_words(Decimal("-1"))

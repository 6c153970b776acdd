from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.formats import format_euros, format_number
from core.text import PREFIX_SENTINEL, search_key


def test_search_key_folds_accents_case_and_punctuation():
    assert search_key("Clermont-Ferrand") == "clermont ferrand"
    assert search_key("  CLERMONT   ferrand ") == "clermont ferrand"
    assert search_key("L'Haÿ-les-Roses") == "l hay les roses"
    assert search_key("Œuilly") == "oeuilly"
    assert search_key("Saint-Étienne") == "saint etienne"


@given(st.text())
def test_search_key_only_holds_ascii_letters_digits_and_single_spaces(text):
    key = search_key(text)
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in key)
    assert "  " not in key
    assert key == key.strip()
    assert key < key + PREFIX_SENTINEL
    assert search_key(key) == key  # idempotent


def test_french_number_and_amount_formats():
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_euros(Decimal("1234567.891")) == "1\u202f234\u202f567,89\u00a0€"
    assert format_euros(150000) == "150\u202f000,00\u00a0€"
    assert format_euros(None) == "—"


@given(st.decimals(min_value=0, max_value=10**12, places=2))
def test_formatted_amount_reads_back(amount):
    text = format_euros(amount)
    assert text.endswith("\u00a0€")
    back = Decimal(text.removesuffix("\u00a0€").replace("\u202f", "").replace(",", "."))
    assert back == amount

"""Amounts in French words, as written on a decision: 150 000 -> "cent cinquante mille euros".

Traditional spelling (no hyphens outside the tens, "vingt et un", "quatre-vingts", "deux cents",
"mille" invariable, "un million"). Up to 999 999 999 999,99 €.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix…, quatre-vingt-dix…
        prefix = "soixante" if tens == 7 else "quatre-vingt"
        joiner = " et " if n == 71 else "-"
        return f"{prefix}{joiner}{_UNITS[10 + unit]}"
    if tens == 8:
        return "quatre-vingts" if unit == 0 else f"quatre-vingt-{_UNITS[unit]}"
    if unit == 0:
        return _TENS[tens]
    joiner = " et " if unit == 1 else "-"
    return f"{_TENS[tens]}{joiner}{_UNITS[unit]}"


def _below_1000(n: int, *, final: bool) -> str:
    """`final` is False when a multiplier follows ("quatre-vingt mille", "deux cent mille")."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        if hundreds == 1:
            words.append("cent")
        else:
            words.append(f"{_UNITS[hundreds]} cent{'s' if rest == 0 and final else ''}")
    if rest:
        text = _below_100(rest)
        if rest == 80 and not final:
            text = "quatre-vingt"
        words.append(text)
    return " ".join(words)


def integer_in_words(n: int) -> str:
    if n < 0:
        raise ValueError("A negative amount has no spelling here.")
    if n == 0:
        return "zéro"
    if n >= 10**12:
        raise ValueError("Amount too large to spell.")
    billions, rest = divmod(n, 10**9)
    millions, rest = divmod(rest, 10**6)
    thousands, units = divmod(rest, 1000)
    parts = []
    for count, singular, plural in ((billions, "milliard", "milliards"), (millions, "million", "millions")):
        if count:
            parts.append(f"{_below_1000(count, final=True)} {plural if count > 1 else singular}")
    if thousands:
        parts.append("mille" if thousands == 1 else f"{_below_1000(thousands, final=False)} mille")
    if units:
        parts.append(_below_1000(units, final=True))
    return " ".join(parts)


def euros_in_words(amount: Decimal | int) -> str:
    """Decimal("150000") -> "cent cinquante mille euros"; Decimal("1,5") -> "un euro et cinquante centimes"."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    euros = int(value)
    cents = int((value - euros) * 100)
    whole = integer_in_words(euros)
    # "un million d'euros", "deux millions d'euros" but "un million deux cents euros".
    unit = "d'euros" if euros and euros % 10**6 == 0 else ("euro" if euros <= 1 else "euros")
    text = f"{whole} {unit}"
    if cents:
        text += f" et {integer_in_words(cents)} centime{'s' if cents > 1 else ''}"
    return text

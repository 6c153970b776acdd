"""Password rules: Django's list of 20 000 common passwords plus a French one, with the usual disguises.

`motdepasse123`, `Soleil2026!` or `Marseille13` are refused: the password is compared as typed,
then as its letters alone (lowercase, accents removed, digits and signs around the word dropped),
against both lists. The French list (`data/mots-de-passe-courants-fr.txt.gz`, one word a line) holds
the most frequent French passwords and their bases, as published studies of leaked passwords show
them (keyboard walks `azerty`, first names, cities and clubs, words of love).
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from core.text import search_key

FRENCH_LIST = Path(__file__).resolve().parent / "data" / "mots-de-passe-courants-fr.txt.gz"
_AROUND = re.compile(r"^[^a-z]+|[^a-z]+$")


@cache
def _french_passwords() -> frozenset[str]:
    with gzip.open(FRENCH_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def word_of(password: str) -> str:
    """The word a password is built on: `Mot-de-passe 2026 !` → `motdepasse` (empty for digits only)."""
    folded = search_key(password).replace(" ", "")
    return _AROUND.sub("", folded)


class FrenchCommonPasswordValidator(CommonPasswordValidator):
    """Refuses a password found, as typed or as its bare word, in Django's list or the French list."""

    def __init__(self, password_list_path: Path | str | None = None) -> None:
        if password_list_path is None:
            super().__init__()
        else:
            super().__init__(password_list_path)
        self.passwords = set(self.passwords) | _french_passwords()

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        word = word_of(password)
        candidates = {lowered, search_key(password).replace(" ", "")}
        if len(word) >= 3:
            candidates.add(word)
        if candidates & self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self) -> str:
        return "Ce mot de passe est trop courant (ou bâti sur un mot trop courant) : choisissez-en un autre."

    def get_help_text(self) -> str:
        return "Votre mot de passe ne peut pas être un mot de passe courant, même suivi de chiffres."

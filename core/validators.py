"""Checks of French identifiers, with messages a user can act on."""

import re

from django.core.exceptions import ValidationError

# La Poste's establishments share SIREN 356000000; their SIRET does not follow the Luhn key but
# the sum of its digits is a multiple of 5 (INSEE rule).
_LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{14}", value):
        return False
    if value.startswith(_LA_POSTE_SIREN) and value != _LA_POSTE_SIREN + "00048":
        return sum(int(c) for c in value) % 5 == 0
    return luhn_is_valid(value)


def normalize_siret(value: str) -> str:
    """ "123 456 789 00012" -> "12345678900012" (spaces, dots and dashes are ignored)."""
    return re.sub(r"[\s.\-]", "", value)


def validate_siret(value: str) -> None:
    siret = normalize_siret(value)
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise ValidationError("Un numéro SIRET compte 14 chiffres.", code="siret_format")
    if not siret_is_valid(siret):
        raise ValidationError(
            "Ce numéro SIRET n'existe pas (sa clé de contrôle est fausse) : vérifiez-le sur l'avis de situation INSEE.",
            code="siret_checksum",
        )


def validate_rna(value: str) -> None:
    if value and not re.fullmatch(r"W[0-9A-Z][0-9]{8}", value.strip().upper()):
        raise ValidationError("Un numéro RNA s'écrit W suivi de 9 caractères (ex. W381000001).", code="rna_format")


def siret_from(first_digits: str) -> str:
    """A 14-digit SIRET beginning with `first_digits` (a SIREN, or a made-up number for fictitious
    data), padded with zeros to 13 digits and completed with the digit that makes its Luhn key hold."""
    base = first_digits[:13].ljust(13, "0")
    return next(base + key for key in "0123456789" if luhn_is_valid(base + key))

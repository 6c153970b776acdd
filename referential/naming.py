"""How a collectivité is named in an official letter or deed.

The referential holds a commune under its bare name ("Voiron"), a département's council as
"Département de l'Isère", an EPCI under its BANATIC name ("CA du Pays Voironnais", "Grenoble-Alpes
Métropole"). A letter needs more: a title ("Commune de Voiron"), a name that reads inside a sentence
("la commune de Voiron a sollicité", "attribuée à la communauté d'agglomération …"), whom the letter
addresses ("Madame la Maire, Monsieur le Maire") and the recipient block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from referential.enums import AuthorityKind, EpciNature

if TYPE_CHECKING:
    from referential.models import Authority

_VOWELS = tuple("AEIOUYÂÀÉÈÊËÎÏÔÖÛÜŒ")
# EPCI names that start with a common noun take an article in a sentence ("la CA du Pays
# Voironnais"); a name that starts with the city's name ("Grenoble-Alpes Métropole") does not.
_FEMININE_NOUNS = ("CA ", "CC ", "CU ", "Communauté", "Métropole", "Collectivité")
_ELIDED_NOUNS = ("Eurométropole", "Établissement", "Etablissement")


def of_commune(name: str) -> str:
    """The commune's name after "de": "de Voiron", "d'Annecy", "du Havre", "des Ulis"."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name.upper().startswith(_VOWELS):
        return f"d'{name}"
    return f"de {name}"


def _with_article(name: str) -> str:
    if name.startswith(_ELIDED_NOUNS):
        return f"l'{name}"
    if name.startswith(_FEMININE_NOUNS):
        return f"la {name}"
    if name.startswith("Département"):
        return f"le {name}"
    if name.startswith("Région"):
        return f"la {name}"
    return name


@dataclass(frozen=True)
class LetterName:
    """The forms of a collectivité's name in a letter."""

    title: str  # "Commune de Voiron" — headings, letterheads
    in_sentence: str  # "la commune de Voiron" — capfirst at the start of a sentence
    addressee: str  # "Madame la Maire, Monsieur le Maire" — salutation
    recipient_lines: tuple[str, ...]  # the recipient block, one line each


def letter_name(authority: Authority) -> LetterName:
    """The letter forms of `authority`'s name."""
    name = authority.name
    if authority.kind == AuthorityKind.COMMUNE:
        postcode = authority.postcodes.order_by("code").values_list("code", flat=True).first()
        addressee = "Madame la Maire, Monsieur le Maire"
        lines = [addressee, f"Mairie {of_commune(name)}"]
        if postcode:
            lines.append(f"{postcode} {name}")
        return LetterName(f"Commune {of_commune(name)}", f"la commune {of_commune(name)}", addressee, tuple(lines))
    if authority.kind == AuthorityKind.DEPARTEMENT:
        addressee = "Madame la Présidente, Monsieur le Président du conseil départemental"
    elif authority.kind == AuthorityKind.REGION:
        addressee = (
            "Madame la Présidente, Monsieur le Président du conseil exécutif"
            if name.startswith("Collectivité")
            else "Madame la Présidente, Monsieur le Président du conseil régional"
        )
    elif authority.epci_nature in (EpciNature.METRO, EpciNature.MET69):
        addressee = "Madame la Présidente, Monsieur le Président de la métropole"
    else:
        addressee = "Madame la Présidente, Monsieur le Président"
    return LetterName(name, _with_article(name), addressee, (addressee, name))

"""Who issues a generated letter: the authority block (issuing service, its address, the place and
the signatory) of the décision attributive, the notification and refusal letters, the lettre
d'engagement, the contract and the amendment.

A préfecture's official name and address come from `referential.Prefecture` (kept by an
administrator), else from INSEE's name of the département ("Préfecture de l'Isère"). The signatory
is the préfet, or an agent of the préfecture signing « pour le préfet et par délégation », or the
Ministère's agent « pour le ministre de l'Intérieur et par délégation ».
"""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from accounts.permissions import is_prefect_of
from referential.models import Department

MINISTRY_SERVICE = (
    "Direction générale des étrangers en France — Direction de l'intégration et de l'accès à la nationalité"
)
MINISTER = (
    "Pour le ministre de l'Intérieur et par délégation, le directeur de l'intégration et de l'accès à la nationalité"
)


def issued_by(department: Department, actor: Any, *, ministry: bool = False) -> dict[str, str]:
    """The keys `documents/pdf/base.html` reads: issuer_name, issuer_address, issuer_place,
    signatory_title, signatory_name."""
    name = actor.get_full_name() if actor is not None and getattr(actor, "is_authenticated", False) else ""
    if ministry:
        return {
            "issuer_name": MINISTRY_SERVICE,
            "issuer_address": "Place Beauvau, 75008 Paris",
            "issuer_place": "Paris",
            "signatory_title": MINISTER,
            "signatory_name": name,
        }
    prefecture = getattr(department, "prefecture", None)  # the reverse one-to-one, when kept
    address = ""
    place = ""
    if prefecture is not None:
        place = prefecture.city
        address = ", ".join(
            part for part in (prefecture.street, f"{prefecture.postcode} {prefecture.city}".strip()) if part
        )
    title = department.prefect_title
    if actor is not None and not is_prefect_of(actor, department) and actor.has_role(Role.INSTRUCTOR):
        title = f"Pour {title[0].lower()}{title[1:]} et par délégation"  # the préfet's signing delegation
    return {
        "issuer_name": department.prefecture_name,
        "issuer_address": address,
        "issuer_place": place,
        "signatory_title": title,
        "signatory_name": name,
    }


def prefecture_block(department: Department) -> dict[str, str]:
    """The préfecture's name, address and place only: a contract or an amendment prints its own
    signature blocks (the collectivité's elected official, the préfet, the délégué)."""
    block = issued_by(department, None)
    return {key: block[key] for key in ("issuer_name", "issuer_address", "issuer_place")}

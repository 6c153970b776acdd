"""Demo accounts: one per role, on real territories (Isère, Grenoble-Alpes-Métropole, Rhône), then
those the demo PTAI and CTAI need (`DEMO_ACCOUNTS`, `OCCITANIE_ACCOUNTS`, `demo.ctai.CTAI_ACCOUNTS`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction

from accounts.enums import Role
from accounts.models import Membership, User
from accounts.services import add_membership
from referential.enums import AuthorityKind
from referential.models import Authority, Department, Operator

DEMO_PASSWORD = "territoires-demo-2026"
DEMO_DOMAIN = "demo.territoires-integration.fr"

# A fictitious association for the opérateur account; its SIRET passes the Luhn check.
DEMO_OPERATOR = {
    "name": "Association Accueil et Parcours Isère (démonstration)",
    "siret": "00000000000018",
    "rna": "W381000001",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    # "national", "dep:38", "epci:<SIREN>", "commune:<INSEE code>", "conseil-regional:<INSEE code of
    # the région>" (an agent of the Région, the collectivité), "operator"
    scope: str

    @property
    def address(self) -> str:
        return f"{self.email}@{DEMO_DOMAIN}"


DEMO_ACCOUNTS = [
    DemoAccount("agent.grenoble", "Camille", "Martin", Role.AGENT, "epci:200040715"),
    DemoAccount("operateur.isere", "Sami", "Benali", Role.OPERATOR, "operator"),
    DemoAccount("instructeur.isere", "Julie", "Moreau", Role.INSTRUCTOR, "dep:38"),
    DemoAccount("prefet.isere", "Laurent", "Bernard", Role.PREFECT, "dep:38"),
    DemoAccount("instructeur.rhone", "Nadia", "Petit", Role.INSTRUCTOR, "dep:69"),
    DemoAccount("diair", "Hélène", "Durand", Role.DIAIR, "national"),
    DemoAccount("ministere", "Marc", "Lefebvre", Role.MINISTRY, "national"),
    DemoAccount("admin", "Alice", "Roux", Role.ADMIN, "national"),
    # Added for the demo PTAI (demo/projects.py): every instructing département has its agents,
    # its instructeur and its préfet, so that each file can go through the whole workflow.
    DemoAccount("prefet.rhone", "Thomas", "Girard", Role.PREFECT, "dep:69"),
    DemoAccount("agent.lyon", "Inès", "Fontaine", Role.AGENT, "epci:200046977"),  # Métropole de Lyon
    DemoAccount("agent.voiron", "Paul", "Chevalier", Role.AGENT, "commune:38563"),  # Voiron (Isère)
    DemoAccount("agent.clermont", "Sophie", "Aubert", Role.AGENT, "commune:63113"),  # Clermont-Ferrand
    DemoAccount("instructeur.puy-de-dome", "Karim", "Haddad", Role.INSTRUCTOR, "dep:63"),
    DemoAccount("prefet.puy-de-dome", "Anne", "Vidal", Role.PREFECT, "dep:63"),
    DemoAccount("agent.chateaubriant", "Yann", "Le Gall", Role.AGENT, "commune:44036"),  # Châteaubriant
    DemoAccount("instructeur.loire-atlantique", "Claire", "Guérin", Role.INSTRUCTOR, "dep:44"),
    DemoAccount("prefet.loire-atlantique", "Olivier", "Marchand", Role.PREFECT, "dep:44"),
    DemoAccount("agent.dijon", "Léa", "Bonnet", Role.AGENT, "epci:242100410"),  # Dijon Métropole
    DemoAccount("instructeur.cote-d-or", "Mehdi", "Rousseau", Role.INSTRUCTOR, "dep:21"),
    DemoAccount("prefet.cote-d-or", "Isabelle", "Fabre", Role.PREFECT, "dep:21"),
]

# The flyer's Occitanie example (F44, F45): a PTAI led by the Région Occitanie, instructed in
# Haute-Garonne (préfecture de région). Seeded by the PTAI demo (demo/projects.py) with the préfet
# of Haute-Garonne, which the CTAI demo defines (`demo.ctai.CTAI_ACCOUNTS`). Kept out of
# `DEMO_ACCOUNTS`, whose State accounts each find PTAI in every state (Haute-Garonne has this one
# file), and so without an API token, as the CTAI demo's accounts.
OCCITANIE_ACCOUNTS = [
    DemoAccount("agent.occitanie", "Lucie", "Delmas", Role.AGENT, "conseil-regional:76"),  # Région Occitanie
    DemoAccount("instructeur.haute-garonne", "Bastien", "Cazals", Role.INSTRUCTOR, "dep:31"),
]


def _scope_kwargs(scope: str) -> dict[str, object]:
    if scope == "national":
        return {}
    if scope == "operator":
        operator, _ = Operator.objects.get_or_create(
            siret=DEMO_OPERATOR["siret"],
            defaults={
                "name": DEMO_OPERATOR["name"],
                "rna": DEMO_OPERATOR["rna"],
                "department": Department.objects.get(code="38"),
            },
        )
        return {"operator": operator}
    level, code = scope.split(":")
    if level == "dep":
        return {"department": Department.objects.get(code=code)}
    if level == "commune":
        return {"authority": Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code=code)}
    if level == "conseil-regional":
        return {"authority": Authority.objects.get(kind=AuthorityKind.REGION, insee_code=code)}
    return {"authority": Authority.objects.get(kind=AuthorityKind.EPCI, siren=code)}


@transaction.atomic
def seed_demo_accounts(accounts: Sequence[DemoAccount] = DEMO_ACCOUNTS) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing (`DEMO_ACCOUNTS`, or another list such as
    `OCCITANIE_ACCOUNTS` or the CTAI demo's own, `demo.ctai.CTAI_ACCOUNTS`); returns each account and
    whether it was created."""
    if not Department.objects.filter(code="38").exists():
        raise CommandError("Le référentiel n'est pas importé : lancez d'abord « manage.py import_referential ».")
    results = []
    hashed = ""  # the shared password, hashed once: each hash costs a third of a second (PBKDF2)
    for account in accounts:
        user = User.objects.filter(email=account.address).first()
        created = user is None
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = User.objects.create_user(
                account.address,
                None,
                first_name=account.first_name,
                last_name=account.last_name,
                is_staff=account.role == Role.ADMIN,
                is_superuser=account.role == Role.ADMIN,
            )
            user.password = hashed
            user.save(update_fields=["password"])
        scope = _scope_kwargs(account.scope)
        if not Membership.objects.filter(user=user, role=account.role, **scope).exists():
            add_membership(actor=None, user=user, role=account.role, **scope)  # type: ignore[arg-type]
        results.append((account, created))
    return results

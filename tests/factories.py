"""Factories for users, their roles and opérateurs, on the real 2026 referential.

The referential (communes, départements, EPCI) is imported once per test session (root
`conftest.py`), so the factories fetch real rows instead of inventing territories: an
instructeur of Isère is attached to the actual Isère, an agent of Grenoble-Alpes-Métropole to the
actual EPCI with its 49 communes.

    MembershipFactory(instructor_isere=True)          # a new user, instructeur of Isère
    MembershipFactory(agent_grenoble=True, user=me)   # give `me` one more role
    make_user(Role.PREFECT, department=isere())       # same thing, spelled as a function
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory, Password

from accounts.enums import Role
from accounts.models import Membership, User
from referential.enums import AuthorityKind
from referential.models import Authority, Department, Operator

PASSWORD = "motdepasse-solide-2026"

# SIREN of the EPCI used by the personas (checked against the 2026 referential).
GRENOBLE_ALPES_METROPOLE = "200040715"
METROPOLE_DE_LYON = "200046977"  # the only EPCI of nature MET69
METROPOLE_DU_GRAND_PARIS = "200054781"  # 130 member communes: the largest EPCI
CC_PETITE_TERRE = "200050532"  # Mayotte, 2 member communes: the smallest
# INSEE codes of communes.
GRENOBLE = "38185"
LYON = "69123"
CLERMONT_FERRAND = "63113"


# --- Real territories -------------------------------------------------------------------------


def department(code: str) -> Department:
    return Department.objects.get(code=code)


def isere() -> Department:
    return department("38")


def rhone() -> Department:
    return department("69")


def epci(siren: str) -> Authority:
    return Authority.objects.get(kind=AuthorityKind.EPCI, siren=siren)


def grenoble_metropole() -> Authority:
    return epci(GRENOBLE_ALPES_METROPOLE)


def metropole_de_lyon() -> Authority:
    return epci(METROPOLE_DE_LYON)


def commune(insee_code: str) -> Authority:
    return Authority.objects.get(kind=AuthorityKind.COMMUNE, insee_code=insee_code)


# --- Factories --------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@territoires.example.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = Password(PASSWORD)
    is_active = True


def with_luhn_key(first_13_digits: str) -> str:
    """A SIRET whose last digit makes the Luhn key right."""
    from core.validators import luhn_is_valid

    return next(first_13_digits + key for key in "0123456789" if luhn_is_valid(first_13_digits + key))


class OperatorFactory(DjangoModelFactory[Operator]):
    class Meta:
        model = Operator
        django_get_or_create = ("siret",)

    name = factory.Sequence(lambda n: f"Association d'accueil n° {n}")
    siret = factory.Sequence(lambda n: with_luhn_key(f"{9_900_000_000_000 + n:013d}"))
    rna = factory.Sequence(lambda n: f"W{380_000_000 + n}")
    department = factory.LazyFunction(isere)


class MembershipFactory(DjangoModelFactory[Membership]):
    """A role in a scope. Without a trait: administrateur (national)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN

    class Params:
        agent_grenoble = factory.Trait(role=Role.AGENT, authority=factory.LazyFunction(grenoble_metropole))
        agent_lyon = factory.Trait(role=Role.AGENT, authority=factory.LazyFunction(metropole_de_lyon))
        operator_isere = factory.Trait(role=Role.OPERATOR, operator=factory.SubFactory(OperatorFactory))
        instructor_isere = factory.Trait(role=Role.INSTRUCTOR, department=factory.LazyFunction(isere))
        instructor_rhone = factory.Trait(role=Role.INSTRUCTOR, department=factory.LazyFunction(rhone))
        prefect_isere = factory.Trait(role=Role.PREFECT, department=factory.LazyFunction(isere))
        prefect_rhone = factory.Trait(role=Role.PREFECT, department=factory.LazyFunction(rhone))
        prefect_auvergne_rhone_alpes = factory.Trait(
            role=Role.PREFECT, region=factory.LazyFunction(lambda: isere().region)
        )
        diair = factory.Trait(role=Role.DIAIR)
        ministry = factory.Trait(role=Role.MINISTRY)
        admin = factory.Trait(role=Role.ADMIN)


def make_user(role: str | None = None, **scope: Any) -> User:
    """A user holding `role` in `scope` (authority=, department=, region=, operator=); no role if None."""
    user = UserFactory()
    if role is not None:
        MembershipFactory(user=user, role=role, **scope)
    return user


def api_key(user: Any, name: str = "Tests") -> str:
    """A fresh personal access token of `user` (a year), its clear key."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tokens import issue_token

    return issue_token(user=user, name=name, expires_at=timezone.now() + timedelta(days=365))[1]

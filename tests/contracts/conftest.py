"""Personas and contracts for the CTAI tests, on the real referential.

The signatory is Grenoble-Alpes-Métropole (Isère); "another collectivité" is the Métropole de Lyon
(Rhône); the commune signatory is Grenoble (38185, Isère).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts.enums import Role
from accounts.models import User
from contracts.enums import ContractKind, ContractState
from contracts.models import Contract, Diagnosis
from contracts.services import department_for
from programme.models import Campaign
from referential.models import Authority
from tests.factories import grenoble_metropole, isere, make_user, metropole_de_lyon, rhone

PERSONAS = (
    "agent_own",
    "agent_other",
    "prefect_own",
    "prefect_other",
    "instructor",
    "diair",
    "ministry",
)


def make_persona(name: str) -> User:
    return {
        "agent_own": lambda: make_user(Role.AGENT, authority=grenoble_metropole()),
        "agent_other": lambda: make_user(Role.AGENT, authority=metropole_de_lyon()),
        "prefect_own": lambda: make_user(Role.PREFECT, department=isere()),
        "prefect_other": lambda: make_user(Role.PREFECT, department=rhone()),
        "instructor": lambda: make_user(Role.INSTRUCTOR, department=isere()),
        "diair": lambda: make_user(Role.DIAIR),
        "ministry": lambda: make_user(Role.MINISTRY),
    }[name]()


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    return {name: make_persona(name) for name in PERSONAS}


def campaign(year: int = 2021) -> Campaign:
    return Campaign.objects.get(year=year)


def make_contract(
    state: str = ContractState.CONTACT,
    *,
    authority: Authority | None = None,
    kind: str = ContractKind.CTAI,
    diagnosis: bool | None = None,
    **fields: Any,
) -> Contract:
    """A contract put directly in `state` (as data imported or seeded would be). From `drafting` on,
    its diagnostic is complete unless `diagnosis=False`."""
    authority = authority or grenoble_metropole()
    the_campaign = campaign()
    values: dict[str, Any] = {
        "kind": kind,
        "campaign": the_campaign,
        "authority": authority,
        "department": department_for(authority),
        "state": state,
        "title": f"{ContractKind(kind).label} {authority.name}",
    }
    if state != ContractState.CONTACT:
        values.update(letter_date=date(2021, 10, 1), signature_year=2022, rules=the_campaign.rules())
    if state in (ContractState.SIGNED, ContractState.ENDED):
        values.update(signed_on=date(2022, 3, 1), effective_from=date(2022, 3, 1))
    values.update(fields)
    contract = Contract.objects.create(**values)
    if diagnosis if diagnosis is not None else state in (ContractState.DRAFTING, ContractState.SIGNED):
        complete_diagnosis_of(contract)
    return contract


DIAGNOSIS = {
    "bpi_count": 420,
    "other_newcomers_count": 1300,
    "needs_by_domain": {"logement": "Sorties de CPH sans solution.", "emploi": "Peu de parcours FLE-emploi."},
    "existing_offer": "Ateliers sociolinguistiques, plateforme logement.",
    "gaps": "Pas de coordination ; aucune offre pour les jeunes de 18-25 ans.",
}


def complete_diagnosis_of(contract: Contract) -> Diagnosis:
    from django.utils import timezone

    return Diagnosis.objects.create(contract=contract, completed_at=timezone.now(), **DIAGNOSIS)


# F20: the coordinator is optional — what the préfet records at a signature without one.
SIGN_DATA_WITHOUT_COORDINATOR = {
    "signed_on": "2022-03-01",
    "effective_from": "2022-03-01",
    "effective_to": "2024-12-31",
    "duration_years": 3,
    "elected_official_name": "Christophe Ferrari",
    "prefect_name": "Laurent Prévost",
}

SIGN_DATA = {
    "signed_on": "2022-03-01",
    "effective_from": "2022-03-01",
    "effective_to": "2024-12-31",
    "duration_years": 3,
    "elected_official_name": "Christophe Ferrari",
    "prefect_name": "Laurent Prévost",
    "delegate_name": "Alain Régnier",
    "coordinator_name": "Camille Martin",
    "coordinator_role": "Cheffe de projet intégration",
    "coordinator_contact": "camille.martin@example.org",
}


def make_ctair(state: str = ContractState.SIGNED, **fields: Any) -> Contract:
    """Grenoble-Alpes-Métropole's CTAIR (2019-2020 wave, campaign 2021 of the tests), in `state`."""
    values: dict[str, Any] = {"title": "CTAIR 2019 — Grenoble-Alpes-Métropole"}
    if state in (ContractState.SIGNED, ContractState.ENDED):
        values.update(signed_on=date(2019, 4, 29), effective_from=date(2019, 4, 29), effective_to=date(2022, 12, 31))
    values.update(fields)
    return make_contract(state, kind=ContractKind.CTAIR, **values)

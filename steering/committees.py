"""National and départemental steering committees (F23), their decisions and the PDFs.

- `record_committee`: the Diair or the Ministère records a national committee (semi-annual, with
  the DGEF); a préfet of the département, or the Diair, a départemental one. Date, participants
  (accounts and external names), agenda, minutes, the CTAI, PTAI and actions reviewed (of the
  département, for a départemental committee).
- `add_decision`: a decision linked to one file (a CTAI, a PTAI or an action of a CTAI), written on
  that file's timeline (an audit event on the contract or the project).
- The agenda and the relevé de décisions are generated as PDF (`documents.pdf.render_pdf`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from accounts.enums import Role
from accounts.permissions import holds, is_prefect_of
from audit.services import record_event
from contracts.models import Action, Contract
from projects.models import Project
from referential.models import Department
from steering.enums import CommitteeLevel
from steering.models import Committee, Decision


def may_organise(user: Any, level: str, department: Department | None) -> bool:
    if holds(user, Role.DIAIR):
        return True
    if level == CommitteeLevel.NATIONAL:
        return holds(user, Role.MINISTRY)
    return department is not None and is_prefect_of(user, department)


def timeline_target(target: models.Model) -> models.Model:
    """Where a file's timeline lives: a CTAI action's is its contract's."""
    if isinstance(target, Action):
        return target.programming.contract
    return target


def _outside(files: Iterable[Any], department: Department | None, attr: str) -> bool:
    return department is not None and any(getattr(f, attr) != department.pk for f in files)


@transaction.atomic
def record_committee(
    *,
    user: Any,
    level: str,
    department: Department | None,
    held_on: date,
    title: str,
    agenda: str,
    minutes: str = "",
    participants: Iterable[Any] = (),
    external_participants: str = "",
    contracts: Iterable[Contract] = (),
    projects: Iterable[Project] = (),
    actions: Iterable[Action] = (),
) -> Committee:
    if level not in CommitteeLevel.values:
        raise ValidationError({"level": ["Choisissez le niveau du comité."]})
    department = department if level == CommitteeLevel.DEPARTMENT else None
    if not may_organise(user, level, department):
        raise PermissionDenied(
            "La Diair ou le Ministère organise le comité national ; le préfet, le comité départemental."
        )
    errors: dict[str, list[str]] = {}
    if level == CommitteeLevel.DEPARTMENT and department is None:
        errors["department"] = ["Choisissez le département du comité."]
    if not title.strip():
        errors["title"] = ["Indiquez l'intitulé du comité."]
    if not agenda.strip():
        errors["agenda"] = ["Indiquez l'ordre du jour."]
    contracts, projects, actions = list(contracts), list(projects), list(actions)
    if _outside(contracts, department, "department_id") or _outside(projects, department, "department_id"):
        errors["contracts"] = ["Un comité départemental examine les dossiers de son département."]
    if department is not None and any(a.programming.contract.department_id != department.pk for a in actions):
        errors["actions"] = ["Un comité départemental examine les actions de son département."]
    if errors:
        raise ValidationError(errors)
    committee = Committee.objects.create(
        level=level,
        department=department,
        held_on=held_on,
        title=title.strip(),
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        external_participants=external_participants.strip(),
        organised_by=user,
    )
    committee.participants.set(list(participants))
    committee.contracts.set(contracts)
    committee.projects.set(projects)
    committee.actions.set(actions)
    record_event(
        actor=user,
        verb="steering.committee_recorded",
        target=committee,
        details={"comité": str(committee), "niveau": CommitteeLevel(level).label},
    )
    return committee


def reviewed_files(committee: Committee) -> list[models.Model]:
    return [*committee.contracts.all(), *committee.projects.all(), *committee.actions.all()]


@transaction.atomic
def add_decision(
    *, user: Any, committee: Committee, target: models.Model, text: str, due_on: date | None = None
) -> Decision:
    """A decision on one of the files the committee reviewed, written on that file's timeline."""
    if not may_organise(user, committee.level, committee.department):
        raise PermissionDenied("Seul l'organisateur du comité en enregistre les décisions.")
    if not text.strip():
        raise ValidationError({"text": ["Indiquez la décision."]})
    if target not in reviewed_files(committee):
        raise ValidationError({"target": ["Choisissez un dossier examiné par ce comité."]})
    decision = Decision.objects.create(
        committee=committee, target=target, text=text.strip(), due_on=due_on, created_by=user
    )
    details = {"comité": str(committee), "décision": decision.text}
    if isinstance(target, Action):
        details["action"] = target.title
    if due_on:
        details["échéance"] = f"{due_on:%d/%m/%Y}"
    record_event(actor=user, verb="steering.decision", target=timeline_target(target), details=details)
    return decision

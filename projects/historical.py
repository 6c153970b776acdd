"""Past PTAI taken from a spreadsheet: historical records of money spent outside the platform.

docs/adr/0004-historical-ptai.md. A historical PTAI is written `closed` (« Soldé ») directly, with
the rules of its campaign, its granted amount (also its requested amount, one « montant demandé à
l'État » line of its budget), a reference like any file, and `historical=True` with the file's name.
Nothing else is invented: no avis, no préfet's decision, no commitment, **no ledger entry** (the
ledger records only money moved through the platform), no report owed. It has no transition
(`closed` is terminal). The caller (`imports.contracts`) records the audit event that says where it
came from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from programme.models import Campaign
from projects.enums import ProjectState, ResourceKind
from projects.errors import TransitionError
from projects.models import Project, Resource
from projects.services import _next_reference, department_choices
from referential.models import Authority

NOTICE = "Dossier repris d'un tableau : montant historique, hors registre des écritures"


def may_record(user: Any) -> bool:
    """Who brings past files in: the importers of spreadsheets (administrators and the Diair)."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.ADMIN, Role.DIAIR)


@transaction.atomic
def record_historical(
    *,
    user: Any,
    campaign: Campaign,
    lead: Authority,
    amount: Decimal,
    title: str,
    file_name: str,
    ends_on: date | None = None,
    change_reason: str = "",
) -> Project:
    """Write a past PTAI of `campaign`, closed, granted `amount` (see the module). Refuses
    (`TransitionError`) a campaign that is not over and an amount that is not positive."""
    if not may_record(user):
        raise PermissionDenied("Seuls les administrateurs et la Diair reprennent des PTAI passés.")
    if amount <= 0:
        raise TransitionError("Le montant accordé d'un PTAI repris doit être positif.", code="amount_invalid")
    if ends_on is not None and ends_on >= timezone.localdate():
        raise TransitionError("Un PTAI repris est terminé : sa date de fin est passée.", code="not_ended")
    department = department_choices(lead).first()
    if department is None:
        raise TransitionError(f"{lead.name} n'a pas de département instructeur.", code="department")
    project = Project(
        campaign=campaign,
        lead_authority=lead,
        department=department,
        state=ProjectState.CLOSED,
        title=title[:200],
        end_date=ends_on,
        requested_amount=amount,
        granted_amount=amount,
        rules=campaign.rules(),
        created_by=user,
        historical=True,
        imported_from=file_name[:200],
    )
    project.reference = _next_reference(project)
    project._history_user = user  # type: ignore[attr-defined]
    project._change_reason = change_reason or f"Repris du fichier {file_name}"  # type: ignore[attr-defined]
    project.full_clean(exclude=["state"])
    project.save()
    Resource.objects.create(project=project, kind=ResourceKind.STATE_REQUEST, amount=amount)
    return project

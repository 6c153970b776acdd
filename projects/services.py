"""Writing PTAI: drafts, their budget and engagement, and every transition of the workflow.

Keyword-only functions; each checks the permission, writes, records the audit `Event` in the same
transaction, and schedules e-mails with `transaction.on_commit`. A refusal is a `TransitionError`
(French messages, rule ids) or a `PermissionDenied`, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.enums import Role
from audit.services import record_event
from core.formats import format_euros
from core.labels import field_label
from documents.models import Document
from documents.services import attach
from finance.balances import to_cents
from finance.models import Envelope
from finance.services import (
    FinanceError,
    cancel_commitment,
    cancel_file_delegation,
    delegate_for_file,
    department_envelope,
    fund,
    national_availability,
    parse_amount,
    settle,
)
from programme.enums import BudgetLineCode, TargetPublic
from programme.models import Campaign, Domain
from projects import permissions
from projects.enums import PTAI_FIRST_YEAR, ProjectState, ResourceKind, TransitionName
from projects.errors import TransitionError
from projects.models import AuthorityContribution, BudgetItem, Project, ProjectTransition, Resource
from projects.tasks import after_transition
from projects.workflow import PTAI, AvailableTransition, available_transitions
from referential.models import Authority, Department
from reporting.services import require_accepted_final_report

__all__ = [
    "AvailableTransition",
    "TransitionError",
    "apply_transition",
    "available_transitions",
    "create_draft",
    "department_choices",
    "set_budget",
    "set_contributions",
    "update_draft",
]

# Fields of the request an applicant edits (draft or correction). M2M: domains, partners.
DRAFT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "target_public",
        "bpi_justification",
        "widening_perspective",
        "planned_bpi",
        "planned_newcomers",
        "cir_link",
        "start_date",
        "end_date",
        "carrier_kind",
        "carrier_name",
        "siret",
        "rna",
        "diagnostic",
        "department",
    }
)


# --- Drafts -------------------------------------------------------------------------------------


def department_choices(lead: Authority) -> QuerySet[Department]:
    """The départements that may instruct a file of `lead`: its main one; for a région, each of its
    départements (the first by code is the default)."""
    if lead.department_id is not None:
        return Department.objects.filter(pk=lead.department_id)
    return Department.objects.filter(region_id=lead.region_id).order_by("code")


def _set_m2m(project: Project, domains: Iterable[Domain] | None, partners: Iterable[Authority] | None) -> None:
    if domains is not None:
        project.domains.set(list(domains))
    if partners is not None:
        chosen = [p for p in partners if p.pk != project.lead_authority_id]
        project.partners.set(chosen)


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("siret"):
        values["siret"] = "".join(c for c in str(values["siret"]) if c.isdigit())
    if values.get("rna"):
        values["rna"] = str(values["rna"]).strip().upper()
    return values


@transaction.atomic
def create_draft(
    *,
    user: Any,
    lead: Authority,
    campaign: Campaign,
    title: str = "",
    domains: Iterable[Domain] | None = None,
    partners: Iterable[Authority] | None = None,
    **fields: Any,
) -> Project:
    """A new draft led by `lead`, which `user` must hold as agent. Other fields: `DRAFT_FIELDS`."""
    if not any(m.role == Role.AGENT and m.authority_id == lead.pk for m in getattr(user, "active_memberships", ())):
        raise PermissionDenied("Seul un agent de la collectivité porteuse crée son PTAI.")
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise TypeError(f"Unknown PTAI fields: {sorted(unknown)}")
    if campaign.year < PTAI_FIRST_YEAR:
        raise TransitionError(
            f"Les PTAI existent depuis la campagne {PTAI_FIRST_YEAR} : choisissez une campagne plus récente.",
            code="campaign",
        )
    choices = department_choices(lead)
    department = fields.pop("department", None) or choices.first()
    if department is None or not choices.filter(pk=department.pk).exists():
        raise TransitionError("Choisissez le département instructeur parmi ceux de la collectivité.", code="department")
    project = Project(
        campaign=campaign,
        lead_authority=lead,
        department=department,
        title=title,
        created_by=user,
        **_normalise(fields),
    )
    project.full_clean(exclude=["state"])
    project.save()
    _set_m2m(project, domains, partners)
    record_event(actor=user, verb="projects.draft_created", target=project, details={"titre": title})
    return project


def _lock_editable(project: Project, user: Any) -> Project:
    locked = Project.objects.select_for_update(of=("self",)).select_related("department").get(pk=project.pk)
    if not permissions.may_edit(locked, user):
        raise PermissionDenied("Seuls les agents de la collectivité porteuse ou partenaire modifient ce PTAI.")
    if not locked.is_editable:
        raise TransitionError(
            f"Ce PTAI n'est plus modifiable : il est « {ProjectState(locked.state).label.lower()} ».",
            code="not_editable",
        )
    return locked


ATTACHMENT_KIND = "piece-jointe"


@transaction.atomic
def attach_document(*, user: Any, project: Project, uploaded_file: Any) -> Document:
    """A document attached to the request (a « pièce jointe »), as the request's page does: by the
    applicant, while the file is a draft or in correction. Raises PermissionDenied, TransitionError
    (`not_editable`) or the upload's ValidationError (type, size, empty: nothing is stored)."""
    locked = _lock_editable(project, user)
    return attach(actor=user, target=locked, uploaded_file=uploaded_file, kind=ATTACHMENT_KIND)


@transaction.atomic
def update_draft(
    *,
    user: Any,
    project: Project,
    domains: Iterable[Domain] | None = None,
    partners: Iterable[Authority] | None = None,
    **fields: Any,
) -> Project:
    """Save what the applicant typed (draft or correction requested only). Field errors come back as
    a `ValidationError` by field (French messages of the validators)."""
    locked = _lock_editable(project, user)
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise TypeError(f"Unknown PTAI fields: {sorted(unknown)}")
    if (
        "department" in fields
        and not department_choices(locked.lead_authority).filter(pk=fields["department"].pk).exists()
    ):
        raise TransitionError("Choisissez le département instructeur parmi ceux de la collectivité.", code="department")
    changed = []
    for name, value in _normalise(fields).items():
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    locked.full_clean(exclude=["state"])
    locked.save()
    _set_m2m(locked, domains, partners)
    if domains is not None:
        changed.append("domains")
    if partners is not None:
        changed.append("partners")
    if changed:
        labels = sorted(field_label(Project, name) for name in changed)
        record_event(actor=user, verb="projects.draft_updated", target=locked, details={"champs": labels})
    return locked


def _money(value: Any) -> Decimal:
    """An amount of the budget: zero or more euros, in cents."""
    try:
        return parse_amount(value, allow_zero=True)
    except FinanceError as exc:
        raise TransitionError(exc.messages, code="amount_invalid") from exc


@transaction.atomic
def set_budget(
    *,
    user: Any,
    project: Project,
    expenses: Sequence[tuple[str, Any]],
    resources: Sequence[tuple[str, str, Any]],
) -> Project:
    """Replace the budget: expenses `(nature, amount)`, resources `(kind, funder, amount)`.

    The only writer of `BudgetItem` and `Resource`: it keeps `Project.requested_amount` (the total of
    the `state_request` resources) in sync. History keeps every former line.
    """
    locked = _lock_editable(project, user)
    for kind, _funder, _amount in resources:
        if kind not in ResourceKind.values:
            raise TransitionError("Nature de ressource inconnue.", code="resource_kind")
    rows: list[BudgetItem | Resource] = [
        BudgetItem(project=locked, nature=nature.strip(), amount=_money(amount)) for nature, amount in expenses
    ]
    rows += [
        Resource(project=locked, kind=kind, funder=funder.strip(), amount=_money(amount))
        for kind, funder, amount in resources
    ]
    for row in rows:
        row.full_clean()
    # Deleted and created one by one (not in bulk), so that the history keeps every line.
    locked.budget_items.all().delete()
    locked.resources.all().delete()
    for row in rows:
        row.save()
    locked.requested_amount = locked.compute_requested_amount()
    locked.save()
    record_event(
        actor=user,
        verb="projects.budget_updated",
        target=locked,
        details={"montant demandé": format_euros(locked.requested_amount)},
    )
    return locked


@transaction.atomic
def set_contributions(*, user: Any, project: Project, contributions: Sequence[tuple[str, str, Any]]) -> Project:
    """Replace the collectivité's engagement (F35): `(kind, description, amount)`; co-funding needs an amount."""
    locked = _lock_editable(project, user)
    locked.contributions.all().delete()
    rows = []
    for kind, description, amount in contributions:
        row = AuthorityContribution(
            project=locked,
            kind=kind,
            description=description.strip(),
            amount=_money(amount) if amount not in (None, "") else None,
        )
        row.full_clean()
        rows.append(row)
    for row in rows:
        row.save()
    record_event(
        actor=user,
        verb="projects.contributions_updated",
        target=locked,
        details={"engagements": sorted(row.get_kind_display() for row in rows)},
    )
    return locked


# --- Transitions --------------------------------------------------------------------------------


def _next_reference(project: Project) -> str:
    """PTAI-<year>-<département>-<n° in the year and département>, under a lock on the département."""
    Department.objects.select_for_update().filter(pk=project.department_id).first()
    prefix = f"PTAI-{project.campaign.year}-{project.department.code}-"
    last = (
        Project.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _budget_line_code(project: Project) -> str:
    """Action 15 (réfugiés) for a BPI-only project, action 12 (autres primo-arrivants) otherwise (F41)."""
    if project.target_public == TargetPublic.BPI_ONLY:
        return BudgetLineCode.REFUGEES
    return BudgetLineCode.NEWCOMERS


def _department_envelope(project: Project) -> Envelope:
    """The envelope a file draws on: its campaign, its département, its budget line (F41)."""
    try:
        return department_envelope(
            campaign=project.campaign,
            line_code=_budget_line_code(project),
            department=project.department,
            rules=dict(project.rules),
        )
    except FinanceError as exc:
        raise TransitionError(exc.messages, code=exc.code or "no_envelope") from exc


def _check_national_availability(project: Project) -> None:
    """F38: the Ministère grants no more than the national envelope of the file's line can still give
    for the campaign (opened, not yet delegated or committed), less what it already granted to other
    files waiting for their delegation. Never the département's envelope: the Ministère delegates
    the granted amount to it next. Checked again, under the envelope's lock, at `delegate_credits`."""
    line = _budget_line_code(project)
    try:
        _, available = national_availability(campaign=project.campaign, line_code=line, rules=dict(project.rules))
    except FinanceError as exc:
        raise TransitionError(exc.messages, code=f"finance_{exc.code}") from exc
    waiting = Project.objects.filter(
        campaign_id=project.campaign_id, state=ProjectState.MINISTRY_APPROVED, **_line_filter(line)
    ).exclude(pk=project.pk)
    promised = to_cents(waiting.aggregate(total=Sum("granted_amount"))["total"])
    granted = project.granted_amount
    if granted is not None and granted > available - promised:
        detail = (
            f", dont {format_euros(promised)} déjà accordés à des dossiers en attente de délégation" if promised else ""
        )
        raise TransitionError(
            f"Le montant accordé ({format_euros(granted)}) dépasse les crédits nationaux {project.campaign.year} "
            f"encore disponibles sur la ligne {line} : {format_euros(available)}{detail}.",
            code="finance_beyond_available",
        )


def _line_filter(line: str) -> dict[str, Any]:
    """The files of a budget line (F41): BPI-only on 104-15, the others on 104-12."""
    if line == BudgetLineCode.REFUGEES:
        return {"target_public": TargetPublic.BPI_ONLY}
    return {"target_public__in": [p for p in TargetPublic.values if p != TargetPublic.BPI_ONLY]}


def _label(project: Project) -> str:
    return f"{project.reference} — {project.title}"[:200]


def _delegate_credits(project: Project, user: Any) -> None:
    """The Ministère delegates exactly the granted amount to the file's département (F38)."""
    granted = project.granted_amount
    assert granted is not None, "a ministry_approved file has a granted amount (project_granted_iff_approved)"
    delegate_for_file(
        actor=user,
        campaign=project.campaign,
        line_code=_budget_line_code(project),
        department=project.department,
        amount=granted,
        funded=project,
        label=f"Délégation pour {_label(project)}"[:200],
        rules=dict(project.rules),
    )


def _commit(project: Project, user: Any) -> None:
    """The préfet (or his delegate) commits the delegated amount on the département's envelope and pays
    the advance (the campaign's rate kept in the file's rules)."""
    granted = project.granted_amount
    assert granted is not None, "a file with delegated credits has a granted amount"
    project.commitment = fund(
        actor=user,
        envelope=_department_envelope(project),
        amount=granted,
        funded=project,
        label=_label(project),
        rules=dict(project.rules),
    )


def _cancel_commitment(project: Project, user: Any, reason: str) -> None:
    commitment = project.commitment
    assert commitment is not None, "a funded file has a commitment (project_commitment_iff_funded)"
    cancel_commitment(actor=user, commitment=commitment, reason=f"{project.reference} : {reason}")
    project.commitment = None


def _close(project: Project, user: Any, amount: Any) -> Decimal:
    """Pay the balance (final amount - paid) and release what was committed but not spent."""
    commitment = project.commitment
    assert commitment is not None, "a funded file has a commitment (project_commitment_iff_funded)"
    return settle(actor=user, commitment=commitment, final=amount, reason=f"Solde de {project.reference}")


def _move_money(project: Project, name: str, user: Any, reason: str, amount: Any) -> Decimal | None:
    """What each transition does on the ledger; returns the final amount at `close`."""
    if name == TransitionName.MINISTRY_APPROVE:
        _check_national_availability(project)
    elif name == TransitionName.DELEGATE_CREDITS:
        _delegate_credits(project, user)
    elif name == TransitionName.CANCEL_DELEGATION:
        cancel_file_delegation(actor=user, funded=project, reason=f"{project.reference} : {reason}")
    elif name == TransitionName.COMMIT:
        _commit(project, user)
    elif name == TransitionName.CANCEL_COMMITMENT:
        _cancel_commitment(project, user, reason)
    elif name == TransitionName.CLOSE:
        require_accepted_final_report([project], "du projet")
        return _close(project, user, amount)
    return None


def _logged_amount(project: Project, name: str, final: Decimal | None) -> Decimal | None:
    if name == TransitionName.GIVE_OPINION:
        return project.proposed_amount
    if name in (TransitionName.MINISTRY_APPROVE, TransitionName.DELEGATE_CREDITS, TransitionName.COMMIT):
        return project.granted_amount
    if name == TransitionName.CLOSE:
        return final
    return None


@transaction.atomic
def apply_transition(
    *, project: Project, name: str, user: Any, reason: str = "", opinion: str = "", amount: Any = None
) -> Project:
    """Apply the transition `name` for `user`, once: lock the row, re-read its state, check that the
    transition is available to this user, run its checks (programme rules for submit/resubmit), move
    the money (`_move_money`: the national check at ministry_approve, the delegation, the commitment
    and the advance, the balance), write the log row and the audit event, and enqueue, after the
    commit, the task that generates the letters and sends the e-mails (`projects.tasks`). Returns
    the project as saved (the `project` passed in is not modified).

    Refusals: `TransitionError` (French messages; `code` "state_changed" when the file moved since
    it was read, e.g. a double click, "not_allowed" when this user may not, the rule ids for the
    programme rules; the finance message when the money cannot be committed or paid).
    """
    locked = PTAI.lock(Project.objects.select_related("campaign", "department", "lead_authority"), project)
    PTAI.guard(locked, project.state, name, user)
    source = locked.state
    reason = reason.strip()
    getattr(locked, name)(user=user, reason=reason, opinion=opinion, amount=amount)
    try:
        final = _move_money(locked, name, user, reason, amount)
    except FinanceError as exc:
        raise TransitionError(exc.messages, code=f"finance_{exc.code or 'refused'}") from exc
    if name == TransitionName.SUBMIT:
        locked.reference = _next_reference(locked)
    locked.state_changed_at = timezone.now()
    locked.save()
    log = ProjectTransition.objects.create(
        project=locked,
        transition=name,
        source=source,
        target=locked.state,
        actor=user,
        reason=reason,
        opinion=opinion if name == TransitionName.GIVE_OPINION else "",
        amount=_logged_amount(locked, name, final),
    )
    details: dict[str, Any] = {
        "de": ProjectState(source).label,
        "vers": ProjectState(locked.state).label,
    }
    if reason:
        details["motif"] = reason
    if log.amount is not None:
        details["montant"] = format_euros(log.amount)
    record_event(actor=user, verb=f"projects.{name}", target=locked, details=details)
    # Documents and e-mails once the transition is committed, whatever door applied it.
    transaction.on_commit(partial(after_transition.enqueue, log.pk))
    return locked

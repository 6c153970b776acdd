"""The PTAI's generated letters: the décision attributive and the notification (funded), the refusal.

Called by the pages and the API right after `apply_transition` returns (`delegate_credits`,
`prefect_refuse`, `ministry_refuse`): `after_transition(project, name, actor)` does the right one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from documents.models import Document
from documents.services import generate
from programme.enums import BudgetLineCode, TargetPublic
from projects.enums import TransitionName
from projects.models import Project

CENT = Decimal("0.01")
REFUSALS = (TransitionName.PREFECT_REFUSE, TransitionName.MINISTRY_REFUSE)


def _common(project: Project) -> dict[str, Any]:
    return {
        "issuer_name": f"Préfecture — {project.department}",
        "reference": project.reference,
        "subject": project.title or str(project),
        "campaign_year": project.campaign.year,
    }


def generate_decision_documents(project: Project, actor: Any) -> list[Document]:
    """The décision attributive and the notification letter of a funded PTAI."""
    granted = project.granted_amount or Decimal("0")
    rate = Decimal(str(dict(project.rules).get("advance_rate", "50")))
    advance = (granted * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    line = BudgetLineCode.REFUGEES if project.target_public == TargetPublic.BPI_ONLY else BudgetLineCode.NEWCOMERS
    common = _common(project)
    decision = generate(
        actor=actor,
        target=project,
        template_name="decision_attributive.html",
        context={
            **common,
            "beneficiary_name": project.lead_authority.name,
            "summary": project.summary,
            "amount": granted,
            "budget_line": BudgetLineCode(line).label,
            "advance_percent": rate,
            "advance_amount": advance,
            "balance_amount": granted - advance,
            "period_start": project.start_date,
            "period_end": project.end_date,
            "partners": [p.name for p in project.partners.all()],
        },
        kind="decision-attributive",
        filename=f"decision-attributive-{project.reference}",
    )
    letter = generate(
        actor=actor,
        target=project,
        template_name="notification_letter.html",
        context={
            **common,
            "recipient_name": project.lead_authority.name,
            "amount": granted,
            "advance_amount": advance,
            "decision_reference": project.reference,
        },
        kind="lettre-notification",
        filename=f"notification-{project.reference}",
    )
    return [decision, letter]


def generate_refusal_letter(project: Project, actor: Any) -> Document:
    """The refusal letter, with the reason written by the préfet or the Ministère."""
    last = project.transitions.filter(transition__in=REFUSALS).order_by("-created_at", "-pk").first()
    return generate(
        actor=actor,
        target=project,
        template_name="refusal_letter.html",
        context={
            **_common(project),
            "recipient_name": project.lead_authority.name,
            "reason": last.reason if last else "",
            "requested_amount": project.requested_amount,
            "submitted_on": project.submitted_at.date() if project.submitted_at else None,
        },
        kind="lettre-refus",
        filename=f"refus-{project.reference}",
    )


def after_transition(project: Project, name: str, actor: Any) -> list[Document]:
    """The documents a transition produces (none for most)."""
    if name == TransitionName.DELEGATE_CREDITS:
        return generate_decision_documents(project, actor)
    if name in REFUSALS:
        return [generate_refusal_letter(project, actor)]
    return []

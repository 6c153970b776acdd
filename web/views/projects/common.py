"""What every PTAI page shares: who sees PTAI, the scoped fetch (404 outside), the request's steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from accounts.enums import Role
from projects.models import Project

PTAI_ROLES = (Role.AGENT, Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN)


def can_see_ptai(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*PTAI_ROLES))


def can_create_ptai(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.AGENT))


def get_project(request: HttpRequest, pk: int, queryset: Any = None) -> Project:
    """The file through `for_user`: outside the user's scope it does not exist (404)."""
    if not can_see_ptai(request.user):
        raise Http404
    base = queryset if queryset is not None else Project.objects.all()
    project = base.for_user(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


@dataclass(frozen=True)
class Step:
    slug: str
    number: int
    label: str
    fields: tuple[str, ...]  # the Finding.field values this step answers


STEPS = (
    Step("porteur", 1, "Porteur", ("partners", "lead_authority", "department")),
    Step(
        "projet",
        2,
        "Projet",
        (
            "title",
            "summary",
            "domains",
            "start_date",
            "end_date",
            "target_public",
            "bpi_justification",
            "widening_perspective",
        ),
    ),
    Step("public", 3, "Public", ("planned_bpi", "planned_newcomers", "cir_link")),
    Step("action", 4, "Porteur de l'action", ("carrier_kind", "carrier_name", "siret", "rna")),
    Step("budget", 5, "Budget", ("requested_amount", "budget")),
    Step("engagement", 6, "Engagement", ("contributions",)),
    Step("diagnostic", 7, "Diagnostic et pièces jointes", ("diagnostic", "attachments")),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def step_for_field(field: str) -> Step:
    return next((s for s in STEPS if field in s.fields), STEPS[1])


def panel(findings: list[Any]) -> list[dict[str, Any]]:
    """The "Ce qu'il manque" panel: each finding with the step that answers it."""
    return [{"finding": f, "step": step_for_field(f.field)} for f in findings]

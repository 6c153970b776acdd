"""PTAI helpers for templates: the state badge, and the files waiting for a role on the dashboard."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.enums import Role
from projects.enums import ProjectState
from projects.models import Project

register = template.Library()
S = ProjectState

BADGES = {
    S.DRAFT: "",
    S.SUBMITTED: "fr-badge--info",
    S.IN_REVIEW: "fr-badge--info",
    S.CORRECTION_REQUESTED: "fr-badge--warning",
    S.REVIEWED: "fr-badge--info",
    S.PREFECT_APPROVED: "fr-badge--new",
    S.MINISTRY_APPROVED: "fr-badge--new",
    S.CREDITS_DELEGATED: "fr-badge--new",
    S.FUNDED: "fr-badge--success",
    S.CLOSED: "fr-badge--success",
    S.PREFECT_REFUSED: "fr-badge--error",
    S.MINISTRY_REFUSED: "fr-badge--error",
    S.DISMISSED: "fr-badge--error",
    S.WITHDRAWN: "fr-badge--error",
}
# What waits for each role: the states where the next move is theirs. The préfet decides on the
# avis, commits the credits the Ministère delegated, and pays the balance on the final report; the
# Ministère validates then delegates.
WAITING = {
    Role.INSTRUCTOR: (S.SUBMITTED, S.IN_REVIEW),
    Role.PREFECT: (S.REVIEWED, S.CREDITS_DELEGATED, S.FUNDED),
    Role.MINISTRY: (S.PREFECT_APPROVED, S.MINISTRY_APPROVED),
}
# An instructeur holding the préfet's délégation de signature commits and pays as he does.
SIGNING = (S.CREDITS_DELEGATED, S.FUNDED)


def waiting_states(membership: Any) -> tuple[str, ...]:
    states = WAITING.get(membership.role, ())
    if membership.role == Role.INSTRUCTOR and getattr(membership, "signing_delegation", False):
        return (*states, *SIGNING)
    return states


WAITING_LIMIT = 20
DASHBOARD_LIMIT = 500


@register.filter
def state_badge(state: str) -> str:
    return BADGES.get(state, "")


def _waiting_q(membership: Any) -> Q:
    condition = Q(state__in=waiting_states(membership))
    if membership.department_id:
        return condition & Q(department_id=membership.department_id)
    if membership.region_id:
        return condition & Q(department__region_id=membership.region_id)
    return condition


def _dashboard_rows(user: Any) -> list[Project]:
    """Every file any section of the user's dashboard shows, in ONE query whatever the roles held
    (kept on the user object for the request); each section then picks its own in Python."""
    cached = getattr(user, "_ptai_dashboard", None)
    if cached is not None:
        return cached
    condition = Q(pk__in=[])
    flags = {}
    for m in user.active_memberships:
        if m.role == Role.AGENT and m.authority_id:
            partners = Project.partners.through.objects.filter(authority_id=m.authority_id)
            partner = partners.filter(project_id=OuterRef("pk"))
            flags[f"partner_{m.authority_id}"] = Exists(partner)  # computed for the rows shown only
            # An IN over the collectivité's few partnerships, not the EXISTS per file of the whole table.
            condition |= Q(lead_authority_id=m.authority_id) | Q(pk__in=partners.values("project_id"))
        elif m.role in WAITING:
            condition |= _waiting_q(m)
    rows: list[Project] = []
    if len(condition):
        rows = list(
            Project.objects.annotate(**flags)
            .filter(condition)
            .select_related("lead_authority", "department")
            .only(
                "pk",
                "title",
                "reference",
                "state",
                "state_changed_at",
                "created_at",
                "department_id",
                "department__region_id",
                "lead_authority__name",
                "lead_authority_id",
            )
            .order_by("state_changed_at", "pk")[:DASHBOARD_LIMIT]
        )
    now = timezone.now()
    for row in rows:
        row.age_days = (now - row.state_changed_at).days  # type: ignore[attr-defined]
    user._ptai_dashboard = rows
    return rows


@register.simple_tag(takes_context=True)
def ptai_waiting(context: Any, membership: Any, only: str = "") -> list[Project]:
    """The files of `membership`'s scope waiting for its role, oldest first, each with `age_days`;
    `only`: some of those states (codes separated by commas), for a section of the dashboard."""
    states = waiting_states(membership)
    if only:
        states = tuple(s for s in states if s in only.split(","))
    if not states:
        return []
    rows = [p for p in _dashboard_rows(context["user"]) if p.state in states]
    if membership.department_id:
        rows = [p for p in rows if p.department_id == membership.department_id]
    elif membership.region_id:
        rows = [p for p in rows if p.department.region_id == membership.region_id]
    return rows[:WAITING_LIMIT]


@register.simple_tag(takes_context=True)
def ptai_of_agent(context: Any, membership: Any) -> list[Project]:
    """The PTAI the agent's collectivité leads or joins, most recent first."""
    key = f"partner_{membership.authority_id}"
    rows = [
        p
        for p in _dashboard_rows(context["user"])
        if p.lead_authority_id == membership.authority_id or getattr(p, key, False)
    ]
    return sorted(rows, key=lambda p: (p.created_at, p.pk), reverse=True)[:WAITING_LIMIT]

"""CTAI on the dashboard: what waits for each role (contracts and yearly programmings), oldest
first with its age, and the agent's contracts. Whatever the roles held: one query for the
contracts, one for the programmings (kept on the user for the request), then each section picks
its own rows in Python, as the PTAI's (`web.templatetags.ptai`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contracts.enums import ContractState, ProgrammingState
from contracts.models import Contract, Programming

register = template.Library()
C, P = ContractState, ProgrammingState

# The steps where the next move is this role's.
CONTRACT_WAITING = {
    Role.AGENT: (C.CONTACT,),
    Role.PREFECT: (C.WIDENING_DECLARED, C.LETTER_RECEIVED, C.DIAGNOSIS, C.DRAFTING),
    Role.DIAIR: (C.WIDENING_DECLARED, C.LETTER_RECEIVED, C.DIAGNOSIS),
}
PROGRAMMING_WAITING = {
    Role.AGENT: (P.DRAFT, P.CHANGES_REQUESTED),
    Role.PREFECT: (P.APPROVED,),
    Role.DIAIR: (P.PRESENTED,),
}
LIMIT = 20
DASHBOARD_LIMIT = 500


@dataclass(frozen=True)
class Waiting:
    label: str
    url: str
    state: str
    since: datetime

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.since).days


def _scope_q(membership: Any, prefix: str = "") -> Q:
    if membership.role == Role.AGENT:
        return Q(**{f"{prefix}authority_id": membership.authority_id})
    if membership.department_id:
        return Q(**{f"{prefix}department_id": membership.department_id})
    if membership.region_id:
        return Q(**{f"{prefix}department__region_id": membership.region_id})
    return Q()


def _in_scope(membership: Any, contract: Contract) -> bool:
    if membership.role == Role.AGENT:
        return contract.authority_id == membership.authority_id
    if membership.department_id:
        return contract.department_id == membership.department_id
    if membership.region_id:
        return contract.department.region_id == membership.region_id
    return True


def _rows(user: Any) -> tuple[list[Contract], list[Programming]]:
    cached = getattr(user, "_ctai_dashboard", None)
    if cached is not None:
        return cached
    contracts_q, programmings_q = Q(pk__in=[]), Q(pk__in=[])
    for m in user.active_memberships:
        if m.role == Role.AGENT and m.authority_id:
            contracts_q |= _scope_q(m)  # the agent's contracts, whatever their state
        elif m.role in CONTRACT_WAITING:
            contracts_q |= _scope_q(m) & Q(state__in=CONTRACT_WAITING[m.role])
        if m.role in PROGRAMMING_WAITING:
            programmings_q |= _scope_q(m, "contract__") & Q(state__in=PROGRAMMING_WAITING[m.role])
    contracts: list[Contract] = []
    programmings: list[Programming] = []
    if len(contracts_q):
        contracts = list(
            Contract.objects.filter(contracts_q)
            .select_related("authority", "department")
            .order_by("state_changed_at", "pk")[:DASHBOARD_LIMIT]
        )
    if len(programmings_q):
        programmings = list(
            Programming.objects.filter(programmings_q)
            .select_related("campaign", "contract__authority", "contract__department")
            .order_by("state_changed_at", "pk")[:DASHBOARD_LIMIT]
        )
    user._ctai_dashboard = (contracts, programmings)
    return contracts, programmings


@register.simple_tag(takes_context=True)
def ctai_waiting(context: Any, membership: Any) -> list[Waiting]:
    """The contracts and programmings of `membership`'s scope waiting for its role, oldest first."""
    role = membership.role
    if role not in CONTRACT_WAITING:
        return []
    contracts, programmings = _rows(context["user"])
    rows = [
        Waiting(str(c), reverse("web:contract_detail", args=[c.pk]), c.get_state_display(), c.state_changed_at)
        for c in contracts
        if c.state in CONTRACT_WAITING[role] and _in_scope(membership, c)
    ]
    rows += [
        Waiting(
            f"Programmation {p.campaign.year} — {p.contract.authority.name}",
            reverse("web:programming_detail", args=[p.pk]),
            p.get_state_display(),
            p.state_changed_at,
        )
        for p in programmings
        if p.state in PROGRAMMING_WAITING[role] and _in_scope(membership, p.contract)
    ]
    return sorted(rows, key=lambda w: w.since)[:LIMIT]


@register.simple_tag(takes_context=True)
def ctai_of_agent(context: Any, membership: Any) -> list[Contract]:
    """The contracts of the agent's collectivité, most recent first."""
    contracts, _ = _rows(context["user"])
    own = [c for c in contracts if c.authority_id == membership.authority_id]
    return sorted(own, key=lambda c: (c.created_at, c.pk), reverse=True)[:LIMIT]

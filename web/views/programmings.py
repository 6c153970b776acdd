"""CTAI yearly programmings: the section of the contract page, the programming page (actions,
socle and complement with their computation, the Diair's check of each action, transitions)."""

from __future__ import annotations

from typing import Any

from contracts import permissions
from contracts.enums import ContractState
from contracts.models import Contract, Programming
from programme.models import Campaign


def programmings_context(contract: Contract, user: Any) -> dict[str, Any]:
    """What the contract page shows of its programmings: one row per year, and the years the
    collectivité may still open."""
    programmings = list(
        Programming.objects.filter(contract=contract).select_related("campaign").order_by("campaign__year")
    )
    can_open = contract.state == ContractState.SIGNED and permissions.is_agent(contract, user)
    years: list[int] = []
    if can_open:
        taken = {p.campaign.year for p in programmings}
        first = contract.signed_on.year if contract.signed_on else 0
        last = contract.effective_to.year if contract.effective_to else 9999
        years = [y for y in Campaign.objects.values_list("year", flat=True) if first <= y <= last and y not in taken]
    return {"programmings": programmings, "programming_years": sorted(years)}

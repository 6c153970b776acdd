"""Who may act on a CTAI: one function per actor, `(contract, user) -> bool`, by role AND scope.

The `permission=` of the transitions (django-fsm-2): buttons, API and the guard of
`services.apply_transition` are one code, as for the PTAI (`projects.permissions`).

- agent: an agent of the signatory collectivité (`record_letter`, `abandon`);
- prefect: a préfet of the contract's département, or of its région (`start_diagnosis`,
  `complete_diagnosis`, `sign`, `end`, `abandon`);
- Diair (national): supports the diagnostic (`start_diagnosis`, `complete_diagnosis`);
- the Ministère reads; instructeurs, administrateurs and opérateurs apply no transition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.enums import Role

if TYPE_CHECKING:
    from accounts.models import Membership
    from contracts.models import Contract


def _memberships(user: Any, role: str) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return [m for m in getattr(user, "active_memberships", ()) if m.role == role]


def is_agent(contract: Contract, user: Any) -> bool:
    return any(m.authority_id == contract.authority_id for m in _memberships(user, Role.AGENT))


def is_prefect(contract: Contract, user: Any) -> bool:
    memberships = _memberships(user, Role.PREFECT)
    if not memberships:
        return False
    region_id = contract.department.region_id
    return any(m.department_id == contract.department_id or m.region_id == region_id for m in memberships)


def is_diair(contract: Contract, user: Any) -> bool:
    return bool(_memberships(user, Role.DIAIR))


# --- The permission of each transition --------------------------------------------------------


def may_record_letter(contract: Any, user: Any) -> bool:
    return is_agent(contract, user)


def may_diagnose(contract: Any, user: Any) -> bool:
    """start_diagnosis, complete_diagnosis: the préfet, supported by the Diair."""
    return is_prefect(contract, user) or is_diair(contract, user)


def may_decide(contract: Any, user: Any) -> bool:
    """sign, end."""
    return is_prefect(contract, user)


def may_abandon(contract: Any, user: Any) -> bool:
    return is_agent(contract, user) or is_prefect(contract, user)


def never(contract: Any, user: Any) -> bool:
    """Internal transitions (a CTAIR closed as widened): applied by the service, never offered."""
    return False


# --- Yearly programmings (the instance is a `Programming`; its contract carries the scope) --------


def may_edit_programming(programming: Any, user: Any) -> bool:
    """Prepare the year's actions and amounts, present them (`present`): the collectivité's agents."""
    return is_agent(programming.contract, user)


def may_review_programming(programming: Any, user: Any) -> bool:
    """Check each action, `request_changes`, `approve`: the Diair."""
    return is_diair(programming.contract, user)


def may_commit_programming(programming: Any, user: Any) -> bool:
    """`commit` the year's credits on the département's envelopes: the préfet."""
    return is_prefect(programming.contract, user)


def may_see_programming_drafts(programming: Any, user: Any) -> bool:
    return is_agent(programming.contract, user)

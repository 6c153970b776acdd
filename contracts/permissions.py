"""Who may act on a CTAI: one function per actor, `(contract, user) -> bool`, by role AND scope.

The `permission=` of the transitions (django-fsm-2): buttons, API and the guard of
`services.apply_transition` are one code, as for the PTAI (`projects.permissions`).

- agent: an agent of the signatory collectivité (`record_letter`, `abandon`, `declare_widening` of
  its CTAIR, the coordinator);
- prefect: a préfet of the contract's département, or of its région (`start_diagnosis`,
  `complete_diagnosis`, `sign`, `end`, `abandon`; `declare_widening` recorded on the collectivité's
  behalf when it told the préfet; the coordinator);
- Diair (national): supports the diagnostic (`start_diagnosis`, `complete_diagnosis`);
- the authorising officer of the contract's département (its préfet, or an instructeur with the
  préfet's délégation de signature: `accounts.permissions.is_authorising_officer`) commits, pays and
  settles the yearly programmings;
- the Ministère reads; other instructeurs, administrateurs and opérateurs apply no transition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist

from accounts.enums import Role
from accounts.permissions import is_authorising_officer
from accounts.permissions import memberships as _memberships

if TYPE_CHECKING:
    from contracts.models import Contract


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


def widening_in_progress(contract: Any) -> bool:
    """A CTAI already widens this CTAIR (reads the reverse one-to-one, selected by the pages)."""
    try:
        return contract.widened_into is not None
    except ObjectDoesNotExist:
        return False


def may_declare_widening(contract: Any, user: Any) -> bool:
    """F16: the collectivité tells the préfet of its intention to widen its CTAIR to the other
    primo-arrivants; its agents record it, or the préfet on its behalf. Once per CTAIR in force (a
    CTAI already widening it must be signed or abandoned first)."""
    from contracts.enums import ContractKind

    if contract.kind != ContractKind.CTAIR or not (is_agent(contract, user) or is_prefect(contract, user)):
        return False
    return not widening_in_progress(contract)


def may_record_coordinator(contract: Any, user: Any) -> bool:
    """F20: the collectivité names or recruits its coordinator (its agents), or the préfet records it."""
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


def may_pay_programming(programming: Any, user: Any) -> bool:
    """`commit` the year's credits on the département's envelopes and pay the advance,
    `cancel_commitment`, `close` (the balance on the year's report): the authorising officer of the
    contract's département — its préfet (or the préfet of its région), or an instructeur with the
    préfet's délégation de signature."""
    return is_authorising_officer(user, programming.contract.department)


def may_see_programming_drafts(programming: Any, user: Any) -> bool:
    return is_agent(programming.contract, user)


# --- Calls for projects (appels à projets) -------------------------------------------------------
# The instance is a `Call` (or a `CallApplication`, whose call carries the scope). The collectivité
# that publishes the call manages it (its agents); an opérateur acts for the Operator it is a member of.


def agent_authority_ids(user: Any) -> frozenset[int]:
    """The collectivités `user` is an agent of."""
    return frozenset(m.authority_id for m in _memberships(user, Role.AGENT) if m.authority_id)


def operator_ids(user: Any) -> frozenset[int]:
    """The opérateurs (Operator) `user` is a member of."""
    return frozenset(m.operator_id for m in _memberships(user, Role.OPERATOR) if m.operator_id)


def may_create_call(contract: Contract, user: Any) -> bool:
    """Open a call of a (signed) contract: an agent of its collectivité."""
    return is_agent(contract, user)


def may_manage_call(call: Any, user: Any) -> bool:
    """Edit, publish, close; read, score, select and reject the applications: an agent of the call's
    collectivité."""
    return call.authority_id in agent_authority_ids(user)


def is_operator_member(operator: Any, user: Any) -> bool:
    """`user` acts for this opérateur (an `operator` membership scoped to it)."""
    return getattr(operator, "pk", operator) in operator_ids(user)


def may_score_application(application: Any, user: Any) -> bool:
    return may_manage_call(application.call, user)


# --- Amendments (the instance is an `Amendment`; its contract carries the scope) ---------------


def may_sign_amendment(amendment: Any, user: Any) -> bool:
    """Record an amendment's signature: the préfet."""
    return is_prefect(amendment.contract, user)


def may_abandon_amendment(amendment: Any, user: Any) -> bool:
    return is_agent(amendment.contract, user) or is_prefect(amendment.contract, user)


# --- Documents, the contract's text and the thread ---------------------------------------------


def may_contribute(contract: Any, user: Any) -> bool:
    """Write on the thread (F19: the Diair's support at any time), edit the contract's text while
    drafting, attach the contract's documents: the collectivité's agents, the préfet, the Diair."""
    return is_agent(contract, user) or is_prefect(contract, user) or is_diair(contract, user)

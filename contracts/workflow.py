"""What each contract transition asks, and which ones a user may apply now.

`available_transitions(contract, user)` is the ONE function the pages, the API and
`services.apply_transition` (the guard) use, as `projects.workflow.available_transitions` for the PTAI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.enums import ContractState, TransitionName

T = TransitionName


@dataclass(frozen=True)
class TransitionForm:
    """What a transition needs: a reason (motif), required or optional, and its other inputs."""

    reason: str = "none"  # "required", "optional" or "none"
    reason_label: str = "Motif"
    fields: tuple[str, ...] = ()


FORMS: dict[str, TransitionForm] = {
    T.RECORD_LETTER: TransitionForm(fields=("letter_date", "signature_year")),
    T.START_DIAGNOSIS: TransitionForm(),
    T.COMPLETE_DIAGNOSIS: TransitionForm(),
    T.SIGN: TransitionForm(
        fields=(
            "signed_on",
            "effective_from",
            "effective_to",
            "duration_years",
            "elected_official_name",
            "prefect_name",
            "delegate_name",
            "coordinator_name",
            "coordinator_role",
            "coordinator_contact",
            "coordinator_recruiting",
        )
    ),
    T.END: TransitionForm(reason="optional", reason_label="Observations"),
    T.ABANDON: TransitionForm(reason="required", reason_label="Motif de l'abandon"),
}


@dataclass(frozen=True)
class AvailableTransition:
    name: str
    label: str
    target: str
    target_label: str
    form: TransitionForm


def available_transitions(contract: Any, user: Any) -> list[AvailableTransition]:
    """The transitions `user` may apply to `contract` in its current state (state, role and scope).
    The programme rules are not evaluated here: `apply_transition` refuses with them."""
    available = []
    for transition in contract.get_available_user_state_transitions(user):
        name = transition.name
        if name not in T.values:  # internal (close_as_widened)
            continue
        target = ContractState(transition.target)
        available.append(AvailableTransition(name, T(name).label, target.value, target.label, FORMS[name]))
    order = list(T.values)
    return sorted(available, key=lambda t: order.index(t.name))


def sources_of(contract_class: Any, name: str) -> set[str]:
    method = getattr(contract_class, name)
    return set(method._django_fsm.transitions)

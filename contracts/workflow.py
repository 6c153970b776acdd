"""What each contract transition asks, and which ones a user may apply now.

`available_transitions(contract, user)` is the ONE function the pages, the API and
`services.apply_transition` (the guard) use, as `projects.workflow.available_transitions` for the PTAI.
"""

from __future__ import annotations

from typing import Any

from contracts.enums import ContractState, TransitionName
from programme.workflow import AvailableTransition, TransitionForm, Workflow, sources_of

T = TransitionName


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
    # F16: the collectivité's declaration to the préfet (its text, and when it was made).
    T.DECLARE_WIDENING: TransitionForm(
        reason="required",
        reason_label="Déclaration d'intention de la collectivité",
        fields=("declared_on",),
    ),
    T.AMEND: TransitionForm(
        reason="required",
        reason_label="Ce que l'avenant change",
        fields=("objects_changed", "new_effective_to", "new_duration_years"),
    ),
}


CONTRACT = Workflow(names=TransitionName, states=ContractState, forms=FORMS, noun="Ce contrat")


def available_transitions(contract: Any, user: Any) -> list[AvailableTransition]:
    """The transitions `user` may apply to `contract` in its current state (state, role and scope).
    The programme rules are not evaluated here: `apply_transition` refuses with them."""
    return CONTRACT.available(contract, user)


__all__ = ["CONTRACT", "FORMS", "AvailableTransition", "TransitionForm", "available_transitions", "sources_of"]

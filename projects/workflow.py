"""What each transition asks of the person who applies it, and which ones a user may apply now.

The transitions themselves (sources, targets, permissions, checks) are declared on `Project`;
this table only says what a button's form needs, so the pages and the API build it the same way.
The mechanism (availability, guard, log) is the platform's one: `programme.workflow`.
`available_transitions(project, user)` is the ONE function the pages (buttons), the API
(`GET …/transitions/`) and `services.apply_transition` (the guard) use.
"""

from __future__ import annotations

from typing import Any

from programme.workflow import AvailableTransition, TransitionForm, Workflow, sources_of
from projects.enums import ProjectState, TransitionName

T = TransitionName


FORMS: dict[str, TransitionForm] = {
    T.SUBMIT: TransitionForm(),
    T.START_REVIEW: TransitionForm(),
    T.REQUEST_CORRECTION: TransitionForm(
        reason="required", reason_label="Ce qu'il faut corriger", notifies_applicant=True
    ),
    T.RESUBMIT: TransitionForm(reason="optional", reason_label="Message à l'instructeur"),
    T.GIVE_OPINION: TransitionForm(
        reason="required",
        reason_label="Texte de l'avis",
        opinion=True,
        amount="optional",
        amount_label="Montant proposé (€), obligatoire pour un avis favorable",
    ),
    T.PREFECT_APPROVE: TransitionForm(reason="optional", reason_label="Observations"),
    T.PREFECT_REFUSE: TransitionForm(reason="required", reason_label="Motif du refus", notifies_applicant=True),
    T.MINISTRY_APPROVE: TransitionForm(
        reason="optional",
        reason_label="Observations",
        amount="required",
        amount_label="Montant accordé (€)",
        notifies_applicant=True,
    ),
    T.MINISTRY_REFUSE: TransitionForm(reason="required", reason_label="Motif du refus", notifies_applicant=True),
    T.MINISTRY_SEND_BACK: TransitionForm(reason="required", reason_label="Motif du renvoi en instruction"),
    T.DELEGATE_CREDITS: TransitionForm(notifies_applicant=True),
    T.CANCEL_DELEGATION: TransitionForm(reason="required", reason_label="Motif de la reprise des crédits"),
    T.COMMIT: TransitionForm(notifies_applicant=True),
    T.CANCEL_COMMITMENT: TransitionForm(
        reason="required", reason_label="Motif de l'annulation de l'engagement", notifies_applicant=True
    ),
    T.CLOSE: TransitionForm(
        reason="optional",
        reason_label="Observations sur le bilan",
        amount="optional",
        amount_label="Montant final dépensé (€), par défaut le montant accordé",
        notifies_applicant=True,
    ),
    T.DISMISS: TransitionForm(reason="required", reason_label="Motif du classement", notifies_applicant=True),
    T.WITHDRAW: TransitionForm(reason="optional", reason_label="Motif de l'abandon"),
}


PTAI = Workflow(names=TransitionName, states=ProjectState, forms=FORMS, noun="Ce dossier")


def available_transitions(project: Any, user: Any) -> list[AvailableTransition]:
    """The transitions `user` may apply to `project` in its current state (state, role and scope).

    The programme rules are NOT evaluated here (the "Ce qu'il manque" panel shows them and
    `apply_transition` refuses with them): the button stays, the refusal explains.
    """
    return PTAI.available(project, user)


__all__ = ["FORMS", "PTAI", "AvailableTransition", "TransitionForm", "available_transitions", "sources_of"]

"""What follows a CTAI transition once it is committed, whatever door applied it (pages, API, demo):
the e-mails to the people whose move is next (`contracts.notifications`).

`contracts.services.apply_transition` (contracts), `contracts.programming.apply_transition` (yearly
programmings) and `contracts.amendments.apply_transition` (amendments) enqueue these tasks with
`transaction.on_commit`, as the PTAI's (`projects.tasks`): nothing is sent for a transition that was
rolled back, and a failure here never undoes it. The CTAI's documents (letter, contract's text,
amendment) are generated on demand from their pages; one that a transition came to produce would be
generated here too.
"""

from __future__ import annotations

from django.tasks import task

from contracts.notifications import (
    notify_amendment_transition,
    notify_contract_transition,
    notify_programming_transition,
)


@task
def after_contract_transition(transition_id: int) -> None:
    notify_contract_transition(transition_id)


@task
def after_programming_transition(transition_id: int) -> None:
    notify_programming_transition(transition_id)


@task
def after_amendment_transition(transition_id: int) -> None:
    notify_amendment_transition(transition_id)

"""Decisions taken here, written back to Démarches Simplifiées when the démarche asks for it.

When a PTAI that came from a dossier is granted — its credits committed by the préfet (`commit`: the
décision attributive signed, the advance paid) — or refused (`prefect_refuse`, `ministry_refuse`), and
its démarche has `write_back`, the task
`imports.tasks.write_back_decision` (enqueued after the commit, `imports.apps`) calls
`dossierAccepter` or `dossierRefuser` with the motivation (the refusal's reason), after
`dossierPasserEnInstruction` when the dossier is still « en construction » on DS. A refusal of DS
is recorded in the PTAI's timeline and raised: the task fails and `jobs.tasks.recover_tasks` runs it
again with backoff. Once written, the decision is kept on the dossier and never sent twice.

Why the commitment and not the Ministère's validation (`ministry_approve`): « accepté » is final on
DS and tells the applicant the money is theirs. In the money chain (PRODUCT.md §4 and §7, ADR 0003)
the Ministère's validation is a step inside the State — the credits still have to be delegated to the
département and the préfet, authorising officer, still has to commit them; until then the file may
be withdrawn or its delegation taken back. The collectivité is granted the money when the préfet
commits it and signs the décision attributive: that is when DS says « accepté ». Between the two,
the dossier stays « en instruction » on DS.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import record_event
from core.formats import format_euros
from imports.ds import client, documents
from imports.ds.client import DsError, Transport, call
from imports.ds.crypto import decrypt
from imports.models import Dossier
from projects.enums import TransitionName
from projects.models import ProjectTransition

# The transitions of a PTAI that are a decision on its dossier: → the DS mutation and its result.
DECISIONS = {
    TransitionName.COMMIT: ("accept", "dossierAccepter", "accepté"),
    TransitionName.PREFECT_REFUSE: ("refuse", "dossierRefuser", "refusé"),
    TransitionName.MINISTRY_REFUSE: ("refuse", "dossierRefuser", "refusé"),
}


def _granted(log: ProjectTransition) -> str:
    """The motivation of an acceptance: what was granted, and that it is committed."""
    amount = f" de {format_euros(log.amount)}" if log.amount is not None else ""
    return f"Subvention{amount} accordée : le préfet a engagé les crédits (décision attributive)."


def concerned(log: ProjectTransition) -> bool:
    """A decision on a PTAI that came from a démarche writing its decisions back."""
    return (
        log.transition in DECISIONS
        and Dossier.objects.filter(project_id=log.project_id, demarche__write_back=True, deleted_at=None).exists()
    )


def _mutate(transport: Transport, query: str, field: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    data = call(transport, query, variables, token)
    payload: dict[str, Any] = data.get(field) or {}
    errors = payload.get("errors") or []
    if errors or not payload.get("dossier"):
        messages = "; ".join(str(e.get("message", e)) for e in errors) or "réponse vide"
        raise DsError(f"Démarches Simplifiées a refusé la décision : {messages}")
    dossier: dict[str, Any] = payload["dossier"]
    return dossier


def write_back(transition_id: int, *, transport: Transport | None = None) -> str:
    """Write the decision of `transition_id` on its dossier, once. Returns what was done (for the
    task's result); raises `DsError` (recorded in the timeline first) for the task to be retried."""
    transport = transport or client.default_transport()
    log = ProjectTransition.objects.select_related("project").get(pk=transition_id)
    if log.transition not in DECISIONS:
        return "pas une décision"
    dossier = Dossier.objects.select_related("demarche").filter(project_id=log.project_id).first()
    if dossier is None or not dossier.demarche.write_back:
        return "pas de report"
    if dossier.deleted_at is not None:
        return "dossier supprimé sur DS"
    if dossier.decision_written_id == log.pk:
        return "déjà reporté"
    name, field, label = DECISIONS[TransitionName(log.transition)]
    demarche = dossier.demarche
    token = decrypt(demarche.token_encrypted)
    base = {"dossierId": dossier.ds_id, "instructeurId": demarche.instructeur_id}
    details: dict[str, Any] = {"démarche": demarche.number, "dossier": dossier.number, "décision": label}
    try:
        state = dossier.ds_state
        if state == "en_construction":
            state = _mutate(transport, documents.PASS_TO_REVIEW, "dossierPasserEnInstruction", {"input": base}, token)[
                "state"
            ]
            # Kept at once: a retry after a refusal of the decision does not ask for this step again.
            Dossier.objects.filter(pk=dossier.pk).update(ds_state=state)
        motivation = log.reason or (_granted(log) if name == "accept" else "Projet refusé.")
        answered = _mutate(
            transport,
            documents.ALL[name],
            field,
            {"input": {**base, "motivation": motivation}},
            token,
        )
    except DsError as error:
        record_event(
            actor=None, verb="imports.ds_decision_failed", target=log.project, details={**details, "erreur": str(error)}
        )
        raise
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(decision_written=log, ds_state=answered["state"])
        record_event(
            actor=None,
            verb="imports.ds_decision_written",
            target=log.project,
            details={**details, "motivation": motivation, "état sur DS": answered["state"], "avant": state},
        )
    return label

"""Who a PTAI's transition tells, and what it expects of them (sent after the commit by
`projects.tasks.after_transition`: no notification for a transition that was rolled back).

Every transition tells the next actor what to do — submission → the département's instructeurs;
avis → the préfet; the préfet's approval → the Ministère; the Ministère's approval → the Ministère's
agents who delegate; delegation → the authorising officers (préfet, agents with his signing
delegation); commitment → the collectivité — and the collectivité of each decision about its file.
Each notification names the file, says what happened, what is expected, and links to the page
(`messaging.notifications`).
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.verbs import label_for
from core.formats import format_euros
from messaging.notifications import notify
from projects.enums import ProjectState, TransitionName
from projects.models import ProjectTransition

T = TransitionName


@dataclass(frozen=True)
class Tell:
    groups: tuple[str, ...]  # `Project.people` groups
    expected: str = ""  # what they are expected to do now ("" : for information)


INSTRUCT = "instruire le dossier : commencer l'instruction, puis demander une correction ou rendre l'avis."
NEXT: dict[str, tuple[Tell, ...]] = {
    T.SUBMIT: (Tell(("instructors",), INSTRUCT),),
    T.RESUBMIT: (Tell(("instructors",), "reprendre l'instruction du dossier corrigé."),),
    T.START_REVIEW: (Tell(("agents",)),),
    T.REQUEST_CORRECTION: (Tell(("agents",), "corriger le dossier comme demandé, puis le renvoyer."),),
    T.GIVE_OPINION: (Tell(("prefects",), "valider le dossier et le transmettre au Ministère, ou le refuser."),),
    T.PREFECT_APPROVE: (
        Tell(("ministry",), "valider le dossier (montant accordé), le refuser ou le renvoyer en instruction."),
        Tell(("agents",)),
    ),
    T.PREFECT_REFUSE: (Tell(("agents",)),),
    T.MINISTRY_APPROVE: (
        Tell(("ministry",), "déléguer les crédits accordés au département."),
        Tell(("agents", "prefects")),
    ),
    T.MINISTRY_REFUSE: (Tell(("agents", "prefects", "instructors")),),
    T.MINISTRY_SEND_BACK: (Tell(("instructors",), "reprendre l'instruction selon les observations du Ministère."),),
    T.DELEGATE_CREDITS: (
        Tell(
            ("authorising",),
            "engager les crédits délégués : la décision attributive et la lettre de notification sont "
            "générées et l'avance est versée.",
        ),
        Tell(("agents",)),
    ),
    T.CANCEL_DELEGATION: (Tell(("authorising", "agents")),),
    T.COMMIT: (
        Tell(("agents",), "mettre en œuvre le projet, puis transmettre le bilan final pour le versement du solde."),
    ),
    T.CANCEL_COMMITMENT: (Tell(("agents", "ministry")),),
    T.CLOSE: (Tell(("agents",)),),
    T.DISMISS: (Tell(("agents",)),),
    T.WITHDRAW: (Tell(("instructors", "prefects")),),
}
REASON_LABELS: dict[str, str] = {
    T.REQUEST_CORRECTION: "Ce qu'il faut corriger",
    T.GIVE_OPINION: "Avis",
    T.PREFECT_REFUSE: "Motif du refus",
    T.MINISTRY_REFUSE: "Motif du refus",
    T.MINISTRY_SEND_BACK: "Observations du Ministère",
    T.CANCEL_COMMITMENT: "Motif",
    T.DISMISS: "Motif",
    T.WITHDRAW: "Motif",
}
AMOUNT_LABELS: dict[str, str] = {
    T.GIVE_OPINION: "Montant proposé",
    T.MINISTRY_APPROVE: "Montant accordé",
    T.DELEGATE_CREDITS: "Crédits délégués",
    T.COMMIT: "Crédits engagés",
}


def notify_transition(transition_id: int) -> None:
    log = ProjectTransition.objects.select_related(
        "project__lead_authority", "project__department", "project__campaign", "actor"
    ).get(pk=transition_id)
    tells = NEXT.get(log.transition, ())
    project = log.project
    happened = [
        f"{label_for(f'projects.{log.transition}')} : « {project.title or project} » ({project.reference}), "
        f"porté par {project.lead_authority.name}, instruit en {project.department.name}.",
        f"Le dossier est maintenant : {ProjectState(log.target).label.lower()}"
        + (f" (par {log.actor.get_full_name() or log.actor})." if log.actor else "."),
    ]
    amount = log.amount if log.amount is not None else project.granted_amount
    if log.transition in AMOUNT_LABELS and amount is not None:
        happened.append(f"{AMOUNT_LABELS[log.transition]} : {format_euros(amount)}.")
    if log.reason:
        happened += ["", f"{REASON_LABELS.get(log.transition, 'Message')} :", log.reason]
    told: set[int] = {log.actor_id} if log.actor_id else set()
    for tell in tells:
        users = [user for user in project.people(*tell.groups) if user.pk not in told]
        told.update(user.pk for user in users)
        notify(
            users,
            key=f"ptai-transition:{log.pk}",
            subject=f"{project.reference} : {label_for(f'projects.{log.transition}').lower()}",
            lines=happened,
            expected=tell.expected,
            path=project.get_absolute_url(),
        )

"""Demo steering (issue 12), through the real services, after the PTAI and CTAI demo:

- the reports every funded action owes (`steering.schedule.ensure_reports`); the closed files'
  final reports were accepted before their balance. Of the funded PTAI still running, the first
  ones (by reference) hand in their interim report, accepted; the next hand it in and wait for
  the instructeur; the next are sent back for completion; the others stay late (their due dates
  are past: the demo files are of 2021 and 2022), so the homes and dashboards show late reports;
- a national committee (Diair with the DGEF) on 15/06/2022 reviewing the Lyon and Poitiers CTAI and
  the flyer's Grenoble PTAI, with decisions on their timelines, and the départemental committees of
  Isère (prefet.isere) on 10/05/2022 and of the Rhône (prefet.rhone, the Lyon CTAI) on 21/09/2022;
- two qualitative evaluations (F23): the biggest action of Lyon's 2021 programming (rendered, with
  its summary) and the Grenoble PTAI (under way).

Idempotent: nothing is added once a committee exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.test import override_settings

from accounts.models import User
from contracts.enums import ActionReview, ContractKind
from contracts.models import Action, Contract
from demo.accounts import DEMO_DOMAIN
from demo.projects import AGENTS, INSTRUCTORS
from demo.reports import counts, file_report
from projects.enums import ProjectState
from projects.models import Project
from reporting.enums import Period
from reporting.models import Report
from reporting.services import apply_transition
from steering.committees import add_decision, record_committee
from steering.enums import CommitteeLevel
from steering.evaluations import record_evaluation
from steering.models import Committee
from steering.schedule import ensure_reports

# The demo agent of each PTAI lead (by SIREN or INSEE code), who enters its reports.
AGENT_OF = {code: name for name, (_, code, _) in AGENTS.items()}


@dataclass
class SeededSteering:
    reports: int = 0
    accepted: int = 0
    waiting: int = 0
    sent_back: int = 0
    late: int = 0
    committees: int = 0
    evaluations: int = 0


def _users() -> dict[str, User]:
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}


def seed_demo_steering() -> SeededSteering:
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        return _seed()


def _agent_of(project: Project, users: dict[str, User]) -> User | None:
    authority = project.lead_authority
    name = AGENT_OF.get(authority.siren) or AGENT_OF.get(authority.insee_code)
    return users.get(name) if name else None


@transaction.atomic
def _seed() -> SeededSteering:
    seeded = SeededSteering()
    if Committee.objects.exists():
        return seeded
    users = _users()
    seeded.reports = ensure_reports()
    running = [
        p
        for p in Project.objects.filter(state=ProjectState.FUNDED)
        .select_related("department", "lead_authority")
        .order_by("reference")
        if _agent_of(p, users) is not None and INSTRUCTORS.get(p.department.code) in users
    ]
    for i, project in enumerate(running):
        agent, instructor = _agent_of(project, users), users[INSTRUCTORS[project.department.code]]
        interim = Report.objects.for_target(project).filter(period=Period.INTERIM).first()
        if interim is None or i % 4 == 3:
            continue  # left late
        values = counts(project.planned_bpi or 0, project.planned_newcomers or 0, share=0.4)
        report = file_report(
            target=project, period=Period.INTERIM, agent=agent, reviewer=None, values=values, spent=None
        )
        if i % 4 == 0:
            apply_transition(report=report, name="accept", user=instructor)
            seeded.accepted += 1
        elif i % 4 == 1:
            seeded.waiting += 1
        else:
            apply_transition(
                report=report,
                name="request_completion",
                user=instructor,
                reason="Précisez les sorties vers le logement et joignez la liste des partenaires.",
            )
            seeded.sent_back += 1
    seeded.late = Report.objects.late().count()

    diair, prefect = users["diair"], users["prefet.isere"]
    lyon = Contract.objects.filter(kind=ContractKind.CTAI, authority__siren="200046977").order_by("pk").first()
    poitiers = Contract.objects.filter(kind=ContractKind.CTAI, authority__insee_code="86194").order_by("pk").first()
    grenoble_ptai = (
        Project.objects.filter(lead_authority__siren="200040715", state=ProjectState.CLOSED)
        .order_by("reference")
        .first()
    )
    isere_ptai = list(
        Project.objects.filter(department__code="38", state__in=(ProjectState.FUNDED, ProjectState.CLOSED)).order_by(
            "reference"
        )[:3]
    )
    lyon_action = (
        Action.objects.filter(programming__contract=lyon, review=ActionReview.ACCEPTED)
        .order_by("-state_amount", "pk")
        .first()
        if lyon
        else None
    )
    reviewed_contracts = [c for c in (lyon, poitiers) if c is not None]
    national = record_committee(
        user=diair,
        level=CommitteeLevel.NATIONAL,
        department=None,
        held_on=date(2022, 6, 15),
        title="Comité national de pilotage — premier semestre 2022",
        agenda="1. Les CTAI signés en 2021 et leurs programmations\n2. Les PTAI engagés\n3. Les évaluations à lancer",
        minutes="La Diair et la DGEF font le point sur la première année des CTAI élargis et sur les PTAI engagés.",
        participants=[u for u in (diair, users.get("ministere")) if u is not None],
        external_participants="DGEF, sous-direction de l'accueil et de l'intégration",
        contracts=reviewed_contracts,
        projects=[p for p in (grenoble_ptai,) if p is not None],
        actions=[a for a in (lyon_action,) if a is not None],
    )
    if lyon_action is not None:
        add_decision(
            user=diair,
            committee=national,
            target=lyon_action,
            text="Action retenue pour une évaluation qualitative approfondie.",
            due_on=date(2023, 3, 31),
        )
    if poitiers is not None:
        add_decision(
            user=diair,
            committee=national,
            target=poitiers,
            text="Présenter la programmation 2022 avant le 30/09/2022.",
            due_on=date(2022, 9, 30),
        )
    departmental = record_committee(
        user=prefect,
        level=CommitteeLevel.DEPARTMENT,
        department=prefect.active_memberships[0].department,
        held_on=date(2022, 5, 10),
        title="Comité départemental de l'Isère",
        agenda="1. Suivi des PTAI de l'Isère\n2. Bilans intermédiaires attendus",
        minutes="Le préfet, Grenoble-Alpes-Métropole et les associations font le point sur les actions.",
        participants=[
            u for u in (prefect, users.get("instructeur.isere"), users.get("agent.grenoble")) if u is not None
        ],
        external_participants="Association d'accueil des primo-arrivants de l'Isère ; France Travail Isère",
        projects=isere_ptai,
    )
    if isere_ptai:
        add_decision(
            user=prefect,
            committee=departmental,
            target=isere_ptai[0],
            text="Remettre le bilan intermédiaire avant la fin du mois.",
        )
    rhone_prefect = users.get("prefet.rhone")
    if rhone_prefect is not None:
        record_committee(
            user=rhone_prefect,
            level=CommitteeLevel.DEPARTMENT,
            department=rhone_prefect.active_memberships[0].department,
            held_on=date(2022, 9, 21),
            title="Comité départemental du Rhône",
            agenda="1. Avancement de la programmation 2022 du CTAI de la Métropole de Lyon\n2. Bilans attendus",
            minutes="Le préfet et la Métropole de Lyon font le point sur les actions de la programmation 2022.",
            participants=[u for u in (rhone_prefect, users.get("instructeur.rhone"), users.get("agent.lyon")) if u],
            external_participants="Forum réfugiés ; France Travail Rhône",
            contracts=[lyon] if lyon is not None else [],
        )
    seeded.committees = Committee.objects.count()

    if lyon_action is not None:
        record_evaluation(
            user=diair,
            target=lyon_action,
            committee=national,
            evaluator="Cabinet d'évaluation des politiques publiques (marché de la Diair)",
            questions="L'action a-t-elle permis l'accès au logement des BPI accompagnés ? Dans quels délais ?",
            method="Entretiens avec les partenaires et 25 ménages accompagnés, analyse des bilans agrégés.",
            findings="Deux tiers des ménages accompagnés accèdent à un logement pérenne en moins de six mois.",
            recommendations=(
                "Ouvrir l'action aux autres primo-arrivants ; renforcer le lien avec les bailleurs sociaux."
            ),
            summary="Action efficace pour l'accès au logement ; à ouvrir aux autres primo-arrivants.",
            completed_on=date(2023, 2, 28),
        )
        seeded.evaluations += 1
    if grenoble_ptai is not None:
        record_evaluation(
            user=diair,
            target=grenoble_ptai,
            committee=national,
            evaluator="Diair, mission évaluation",
            questions="La formation pré-qualifiante mène-t-elle à l'emploi ?",
            method="Suivi à six mois des stagiaires (nombres agrégés) et entretiens avec les employeurs.",
        )
        seeded.evaluations += 1
    return seeded


def summary(seeded: SeededSteering) -> str:
    if not seeded.committees:
        return "déjà présents."
    return (
        f"{seeded.reports} bilan(s) dus créés ({seeded.accepted} accepté(s), {seeded.waiting} remis, "
        f"{seeded.sent_back} à compléter, {seeded.late} en retard), {seeded.committees} comités, "
        f"{seeded.evaluations} évaluation(s)."
    )

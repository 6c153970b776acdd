"""Demo calls for projects and amendments, on the demo CTAI (`demo.ctai`), through the services only.

- Grenoble-Alpes-Métropole (agent.grenoble) publishes two calls of its 2022 programming:
  "Apprendre le français et travailler" is open (its deadline is ahead of today: the public sees it
  on /appels-a-projets/) and has one application of the demo opérateur (operateur.isere); "Accès au
  logement" is closed, its two applications scored, one retained, the other not.
- The Métropole de Lyon's CTAI has a steering committee (December 2022, F23) that retains its biggest
  action for a deeper evaluation, and a signed amendment n° 1 (its end of effect moved by a year; the
  contract's versions show it); Toulouse Métropole's CTAI has an amendment n° 1 in drafting.

Idempotent: nothing is done once a demo call exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from contracts import amendments as amendment_services
from contracts import calls as call_services
from contracts import services as contract_services
from contracts.enums import AmendmentObject, ContractKind, ContractState
from contracts.models import ActionPublic, Call, Contract
from contracts.steering import actions_of, record_committee
from demo.accounts import DEMO_DOMAIN
from programme.models import Campaign

GRENOBLE, LYON, TOULOUSE = "200040715", "200046977", "243100518"


@dataclass(frozen=True)
class SeededCalls:
    calls: int
    applications: int
    amendments: int


def _user(name: str) -> User:
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def _ctai(siren: str) -> Contract:
    return Contract.objects.get(kind=ContractKind.CTAI, state=ContractState.SIGNED, authority__siren=siren)


def _apply(user: User, call: Call, **fields: Any) -> Any:
    operator = user.active_memberships[0].operator
    return call_services.apply_to_call(user=user, call=call, operator=operator, **fields)


def seed_demo_calls() -> SeededCalls:
    """The transitions e-mail the next actor after the commit: for the demo, nowhere (dummy mailer)."""
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        return _seed()


@transaction.atomic
def _seed() -> SeededCalls:
    if Call.objects.exists():
        return SeededCalls(0, 0, 0)
    agent, operator_user = _user("agent.grenoble"), _user("operateur.isere")
    grenoble = _ctai(GRENOBLE)
    campaign = Campaign.objects.get(year=2022)
    today = timezone.localdate()

    open_call = call_services.create_call(
        user=agent,
        contract=grenoble,
        campaign=campaign,
        title="Apprendre le français et travailler",
        text=(
            "Grenoble-Alpes-Métropole retient des actions qui associent l'apprentissage du français et "
            "l'accès à l'emploi des réfugiés et des autres primo-arrivants de la métropole : ateliers à "
            "visée professionnelle, immersion en entreprise, garde d'enfants pendant les cours."
        ),
        deadline=today + timedelta(days=75),
        budget="120000",
        domains=["formation-linguistique", "emploi"],
    )
    call_services.publish_call(user=agent, call=open_call)
    _apply(
        operator_user,
        open_call,
        title="Français à visée professionnelle dans les métiers du soin",
        description="Trois sessions de douze semaines avec stage en EHPAD, pour 36 personnes.",
        domains=["formation-linguistique", "emploi"],
        budget="64000",
        requested_amount="45000",
        public=ActionPublic.NEWCOMERS,
        planned_bpi=24,
        planned_newcomers=12,
    )

    housing_call = call_services.create_call(
        user=agent,
        contract=grenoble,
        campaign=campaign,
        title="Accès au logement",
        text="Captation de logements et accompagnement jusqu'au bail des ménages réfugiés de la métropole.",
        deadline=today + timedelta(days=1),
        budget="90000",
        domains=["logement"],
    )
    call_services.publish_call(user=agent, call=housing_call)
    retained = _apply(
        operator_user,
        housing_call,
        title="Bail glissant et accompagnement de douze mois",
        description="Vingt logements captés auprès des bailleurs sociaux, accompagnement jusqu'au glissement.",
        domains=["logement"],
        budget="110000",
        requested_amount="80000",
        public=ActionPublic.BPI,
        planned_bpi=40,
    )
    not_retained = _apply(
        operator_user,
        housing_call,
        title="Colocations solidaires",
        description="Dix colocations entre jeunes réfugiés et étudiants.",
        domains=["logement"],
        budget="50000",
        requested_amount="40000",
        public=ActionPublic.NEWCOMERS,
        planned_bpi=10,
        planned_newcomers=10,
    )
    call_services.close_call(user=agent, call=housing_call)
    call_services.score_application(
        user=agent, application=retained, score=16, comment="Partenariat bailleurs solide ; coût par ménage maîtrisé."
    )
    call_services.score_application(
        user=agent, application=not_retained, score=11, comment="Public peu précisé ; pas de bailleur engagé."
    )
    call_services.select_application(user=agent, application=retained)
    call_services.reject_application(user=agent, application=not_retained)

    amendments = _seed_amendments()
    _seed_committee()
    return SeededCalls(calls=2, applications=3, amendments=amendments)


def _seed_committee() -> None:
    """Lyon's steering committee of late 2022 (F23), which retains its biggest action for a deeper
    qualitative evaluation."""
    lyon = _ctai(LYON)
    biggest = actions_of(lyon).first()
    record_committee(
        user=_user("diair"),
        contract=lyon,
        held_on=date(2022, 12, 8),
        participants=(
            "Diair (délégué interministériel), DGEF (Ministère de l'Intérieur), préfet du Rhône, DDETS, "
            "vice-présidente de la Métropole de Lyon chargée de l'insertion, opérateurs des actions."
        ),
        summary=(
            "Bilan de la programmation 2021 : les actions logement et langue ont atteint leurs objectifs ; "
            "la coordination avec l'OFII et le service public de l'emploi est à renforcer."
        ),
        decisions="Programmation 2022 approuvée ; évaluation qualitative approfondie de l'action la plus importante.",
        evaluated_actions=[biggest] if biggest else [],
    )


def _seed_amendments() -> int:
    lyon = _ctai(LYON)
    end = lyon.effective_to or date(2023, 12, 31)
    contract = contract_services.apply_transition(
        contract=lyon,
        name="amend",
        user=_user("agent.lyon"),
        reason="Prolongation d'un an du contrat pour couvrir la programmation 2024.",
        objects_changed=[AmendmentObject.DATES],
        new_effective_to=date(end.year + 1, 12, 31),
    )
    amendment = contract.amendments.get(number=1)
    amendment_services.apply_transition(
        amendment=amendment, name="sign", user=_user("prefet.rhone"), signed_on=date(end.year, 10, 15)
    )
    toulouse = _ctai(TOULOUSE)
    contract_services.apply_transition(
        contract=toulouse,
        name="amend",
        user=_user("agent.toulouse"),
        reason="Ajout d'un objectif d'accès à l'emploi des femmes réfugiées.",
        objects_changed=[AmendmentObject.OBJECTIVES],
    )
    return 2


def summary(seeded: SeededCalls) -> str:
    if not seeded.calls:
        return "déjà présents."
    return f"{seeded.calls} appel(s) à projets, {seeded.applications} candidature(s), {seeded.amendments} avenant(s)."

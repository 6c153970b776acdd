"""Who belongs to the programme's public (F02, F04-F06): a pure function over a person's situation
and the campaign's rules, answering *primo-arrivant*, *BPI* or neither, and why, quoting the rule.

Nothing here stores or logs anything: the public eligibility helper and the forms that ask for a
public call `assess()` on what was typed and show the answer, that is all.

The rules, in the order they are checked (the first that decides, answers):
1. French nationals are not foreigners; nationals of the European Union, the European Economic Area
   and Switzerland are not third-country nationals (F04) → neither.
2. Refugee status or subsidiary protection granted → BPI, and a BPI is also a primo-arrivant (F06, F02).
3. Asylum seekers, unaccompanied minors, people in irregular situation, international students are
   not primo-arrivants (F05) → neither.
4. A regular stay for family, professional or humanitarian reasons (F04), with a first residence
   permit less than `newcomer_horizon_years` ago (a parameter of the campaign, five years in 2021)
   → primo-arrivant; older → neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models


class Nationality(models.TextChoices):
    FRENCH = "french", "Française"
    EUROPEAN = "european", "D'un pays de l'Union européenne, de l'Espace économique européen ou suisse"
    THIRD_COUNTRY = "third_country", "D'un autre pays (pays tiers)"


class Situation(models.TextChoices):
    PERMIT = "permit", "Titulaire d'un titre de séjour (ou d'un visa long séjour valant titre de séjour)"
    ASYLUM_SEEKER = "asylum_seeker", "Demandeur d'asile (demande en cours d'examen)"
    UNACCOMPANIED_MINOR = "unaccompanied_minor", "Mineur non accompagné"
    IRREGULAR = "irregular", "Sans titre de séjour (situation irrégulière)"


class PermitReason(models.TextChoices):
    FAMILY = "family", "Motif familial (regroupement familial, conjoint ou parent de Français…)"
    WORK = "work", "Motif professionnel (salarié, travailleur temporaire, talent…)"
    HUMANITARIAN = "humanitarian", "Motif humanitaire"
    STUDENT = "student", "Études (étudiant international)"
    OTHER = "other", "Autre motif (visiteur, stagiaire…)"


class Protection(models.TextChoices):
    NONE = "none", "Aucune protection accordée"
    REFUGEE = "refugee", "Statut de réfugié"
    SUBSIDIARY = "subsidiary", "Protection subsidiaire"


class Verdict(models.TextChoices):
    BPI = "bpi", "Bénéficiaire de la protection internationale (BPI), donc aussi primo-arrivant"
    NEWCOMER = "newcomer", "Étranger primo-arrivant"
    NEITHER = "neither", "Ni primo-arrivant ni BPI : hors du public du programme"


# The rules quoted to the user, from the flyer of May 2021 (the requirement id in brackets).
RULE_NEWCOMER = (
    "F04",
    "Un étranger primo-arrivant est un ressortissant d'un pays tiers à l'Union européenne, séjournant "
    "régulièrement en France pour des motifs familiaux, professionnels ou humanitaires, et ayant "
    "vocation à s'y installer durablement.",
)
RULE_NOT_NEWCOMERS = (
    "F05",
    "Ne sont pas des étrangers primo-arrivants : les étudiants internationaux, les demandeurs d'asile, "
    "les mineurs non accompagnés, les étrangers en situation irrégulière.",
)
RULE_BPI = (
    "F06",
    "Un bénéficiaire de la protection internationale (BPI) est une personne qui s'est vu attribuer soit "
    "le statut de réfugié, soit le bénéfice de la protection subsidiaire. Un BPI est aussi un étranger "
    "primo-arrivant.",
)


SHORT_REASONS: dict[str, str] = {
    PermitReason.FAMILY: "motif familial",
    PermitReason.WORK: "motif professionnel",
    PermitReason.HUMANITARIAN: "motif humanitaire",
}


@dataclass(frozen=True)
class Person:
    """What the questionnaire asks. Nothing identifies anyone."""

    nationality: str
    situation: str = ""
    permit_reason: str = ""
    first_permit_on: date | None = None
    protection: str = Protection.NONE


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    reason: str
    rule_id: str
    rule_text: str
    details: list[str] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        return self.verdict != Verdict.NEITHER


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def assess(person: Person, rules: dict[str, Any], *, today: date) -> Answer:
    """The answer for `person` under a campaign's `rules()` (reads `newcomer_horizon_years`)."""
    horizon = int(rules.get("newcomer_horizon_years", 5))
    if person.nationality == Nationality.FRENCH:
        return Answer(Verdict.NEITHER, "Une personne de nationalité française n'est pas un étranger.", *RULE_NEWCOMER)
    if person.nationality == Nationality.EUROPEAN:
        return Answer(
            Verdict.NEITHER,
            "Un ressortissant de l'Union européenne, de l'Espace économique européen ou de la Suisse n'est pas "
            "un ressortissant d'un pays tiers.",
            *RULE_NEWCOMER,
        )
    if person.protection in (Protection.REFUGEE, Protection.SUBSIDIARY):
        granted = "le statut de réfugié" if person.protection == Protection.REFUGEE else "la protection subsidiaire"
        return Answer(Verdict.BPI, f"La personne a obtenu {granted}.", *RULE_BPI)
    if person.situation == Situation.ASYLUM_SEEKER:
        return Answer(
            Verdict.NEITHER,
            "Un demandeur d'asile n'est pas primo-arrivant tant qu'aucune protection ne lui est accordée ; "
            "s'il obtient le statut de réfugié ou la protection subsidiaire, il devient BPI.",
            *RULE_NOT_NEWCOMERS,
        )
    if person.situation == Situation.UNACCOMPANIED_MINOR:
        return Answer(Verdict.NEITHER, "Un mineur non accompagné n'est pas primo-arrivant.", *RULE_NOT_NEWCOMERS)
    if person.situation == Situation.IRREGULAR:
        return Answer(
            Verdict.NEITHER, "Une personne en situation irrégulière n'est pas primo-arrivante.", *RULE_NOT_NEWCOMERS
        )
    if person.permit_reason == PermitReason.STUDENT:
        return Answer(Verdict.NEITHER, "Un étudiant international n'est pas primo-arrivant.", *RULE_NOT_NEWCOMERS)
    if person.permit_reason not in (PermitReason.FAMILY, PermitReason.WORK, PermitReason.HUMANITARIAN):
        return Answer(
            Verdict.NEITHER,
            "Seul un séjour pour motif familial, professionnel ou humanitaire fait d'un étranger un primo-arrivant.",
            *RULE_NEWCOMER,
        )
    horizon_rule = (
        f"Paramètre de la campagne {rules['year']} : " if "year" in rules else "Paramètre de la campagne : "
    ) + f"on reste primo-arrivant pendant {horizon} ans après la délivrance du premier titre de séjour."
    if person.first_permit_on is None:
        raise ValueError("first_permit_on is required for a residence permit holder")
    if person.first_permit_on > today:
        raise ValueError("first_permit_on is in the future")
    if _years_between(person.first_permit_on, today) >= horizon:
        return Answer(
            Verdict.NEITHER,
            f"Le premier titre de séjour date de plus de {horizon} ans : la personne est installée, "
            "elle n'est plus primo-arrivante.",
            *RULE_NEWCOMER,
            details=[horizon_rule],
        )
    return Answer(
        Verdict.NEWCOMER,
        f"Ressortissant d'un pays tiers en séjour régulier ({SHORT_REASONS[person.permit_reason]}), "
        f"premier titre de séjour depuis moins de {horizon} ans.",
        *RULE_NEWCOMER,
        details=[horizon_rule],
    )

"""The rule engine: `check(subject, campaign_rules)` returns what is wrong or missing, in French.

One declared table (`RULES`), one function. The same `check()` feeds the forms, the "Ce qu'il
manque" panel of a file and the workflow guards on the server. It reads the plain dict of
`Campaign.rules()`, never the model: a decision that stored its year's dict is re-checked with
those rules, whatever was edited since.

- a **blocking** finding stops the transition;
- a **warning** informs (the user may go on);
- a **derogation** blocks until a written justification lifts it (`lifted[rule_id] = text`,
  recorded by `programme.services.record_derogation`).

A rule whose data is not entered yet (no signatory, no socle…) stays silent, except the rules
that are about that data being there (engagement, amount, letter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from core.formats import format_euros
from programme.enums import ComplementRule, Instrument, Severity, TargetPublic
from programme.funding import max_complement

HOUSING = "logement"
NO_LIFT: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    field: str

    @property
    def is_blocking(self) -> bool:
        """A derogation not lifted blocks as much as a blocking finding."""
        return self.severity in (Severity.BLOCKING, Severity.DEROGATION)


@dataclass(frozen=True)
class RuleSubject:
    """What a PTAI, a CTAI or a CTAI programming says about itself, built from its models.

    Amounts in euros (Decimal); `domains` are Domain codes; `contribution_kinds` are
    `ContributionKind` values; `signatory_kind` an `AuthorityKind` value and `signatory_epci_nature`
    an `EpciNature` value (EPCI only).
    """

    instrument: str
    domains: frozenset[str] = frozenset()
    target_public: str = TargetPublic.ALL
    bpi_justification: str = ""
    widening_perspective: str = ""
    has_diagnostic: bool = False
    contribution_kinds: frozenset[str] = frozenset()
    requested_amount: Decimal | None = None
    signatory_kind: str | None = None
    signatory_epci_nature: str | None = None
    letter_date: date | None = None
    signature_year: int | None = None
    # A CTAI that widens a CTAIR (F16) starts from the collectivité's declaration of intent, not from
    # a lettre d'engagement: the letter rules do not apply to it.
    widening: bool = False
    base_amount: Decimal | None = None
    complement_amount: Decimal | None = None
    planned_bpi: int | None = None
    planned_newcomers: int | None = None


@dataclass(frozen=True)
class CampaignRules:
    """A typed reading of the `Campaign.rules()` dict."""

    year: int
    base_min: Decimal
    base_max: Decimal
    complement_rule: str
    complement_cap: Decimal
    letter_deadline: date
    ctai_mandatory_domains: tuple[str, ...]
    ctai_min_domains: int
    ptai_mandatory_domains: tuple[str, ...]
    ptai_min_domains: int
    domain_labels: Mapping[str, str]
    signatory_natures: frozenset[str]
    evaluation_threshold: Decimal
    bpi_only_needs_justification: bool
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CampaignRules:
        return cls(
            year=int(data["year"]),
            base_min=Decimal(data["base_min"]),
            base_max=Decimal(data["base_max"]),
            complement_rule=data["complement_rule"],
            complement_cap=Decimal(data["complement_cap"]),
            letter_deadline=date.fromisoformat(data["letter_deadline"]),
            ctai_mandatory_domains=tuple(data["ctai_mandatory_domains"]),
            ctai_min_domains=int(data["ctai_min_domains"]),
            ptai_mandatory_domains=tuple(data["ptai_mandatory_domains"]),
            ptai_min_domains=int(data["ptai_min_domains"]),
            domain_labels=dict(data.get("domain_labels", {})),
            signatory_natures=frozenset(data["signatory_natures"]),
            evaluation_threshold=Decimal(data["evaluation_threshold"]),
            bpi_only_needs_justification=bool(data["bpi_only_needs_justification"]),
            raw=data,
        )


Test = Callable[[RuleSubject, CampaignRules], str | None]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    instruments: frozenset[str]
    field: str
    summary: str  # what the rule says, in French (docs, pages)
    test: Test  # the message when the subject breaks the rule, else None


# --- The tests -----------------------------------------------------------------------------------

_NOUN = {
    Instrument.CTAI: "Le contrat",
    Instrument.PROGRAMMING: "La programmation",
    Instrument.PTAI: "Le projet",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _min_domains(minimum: int, subject: RuleSubject, rules: CampaignRules) -> str | None:
    chosen = len(subject.domains)
    if chosen >= minimum:
        return None
    return (
        f"{_NOUN[Instrument(subject.instrument)]} doit couvrir au moins {_plural(minimum, 'domaine')} "
        f"(règle de la campagne {rules.year}) : {_plural(chosen, 'domaine')} "
        f"{'choisis' if chosen > 1 else 'choisi'}. Ajoutez un domaine d'intervention."
    )


def _mandatory_domains(mandatory: Iterable[str], subject: RuleSubject, rules: CampaignRules) -> str | None:
    missing = [code for code in mandatory if code not in subject.domains]
    if not missing:
        return None
    noun = _NOUN[Instrument(subject.instrument)]
    parts = [
        "d'accès au logement" if code == HOUSING else f"du domaine « {rules.domain_labels.get(code, code)} »"
        for code in missing
    ]
    return f"{noun} doit comporter au moins une action {' et une action '.join(parts)} (campagne {rules.year})."


def ctai_min_domains(subject: RuleSubject, rules: CampaignRules) -> str | None:
    return _min_domains(rules.ctai_min_domains, subject, rules)


def ctai_mandatory_domains(subject: RuleSubject, rules: CampaignRules) -> str | None:
    return _mandatory_domains(rules.ctai_mandatory_domains, subject, rules)


def ptai_min_domains(subject: RuleSubject, rules: CampaignRules) -> str | None:
    return _min_domains(rules.ptai_min_domains, subject, rules)


def ptai_mandatory_domains(subject: RuleSubject, rules: CampaignRules) -> str | None:
    return _mandatory_domains(rules.ptai_mandatory_domains, subject, rules)


def signatory_type(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.signatory_kind is None:
        return None
    allowed = rules.signatory_natures
    if subject.signatory_kind in allowed or (subject.signatory_epci_nature or "") in allowed:
        return None
    return (
        "Les CTAI sont signés avec les métropoles, les communautés urbaines, les départements et les "
        "régions : pour une autre collectivité, justifiez par écrit le choix de ce signataire."
    )


def letter_required(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.letter_date is not None or subject.widening:
        return None
    return (
        "Déposez la lettre d'engagement adressée au préfet de département et à la Diair "
        f"(avant le {rules.letter_deadline:%d/%m/%Y} pour une signature en {rules.year + 1})."
    )


def letter_deadline(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.widening or subject.letter_date is None or subject.letter_date <= rules.letter_deadline:
        return None
    if subject.signature_year not in (None, rules.year + 1):
        return None
    return (
        f"La lettre d'engagement du {subject.letter_date:%d/%m/%Y} est arrivée après la date limite du "
        f"{rules.letter_deadline:%d/%m/%Y} pour une signature en {rules.year + 1} : justifiez ce retard "
        "(dérogation enregistrée), ou visez la signature de l'année suivante."
    )


def base_bounds(subject: RuleSubject, rules: CampaignRules) -> str | None:
    base = subject.base_amount
    if base is None or rules.base_min <= base <= rules.base_max:
        return None
    return (
        f"Le socle doit être compris entre {format_euros(rules.base_min)} et {format_euros(rules.base_max)} "
        f"(campagne {rules.year}) : {format_euros(base)} indiqués."
    )


def complement_cap(subject: RuleSubject, rules: CampaignRules) -> str | None:
    complement = subject.complement_amount
    if complement is None or complement <= 0:
        return None
    if rules.complement_rule == ComplementRule.NONE:
        return f"La campagne {rules.year} ne prévoit pas de crédits complémentaires : indiquez 0 €."
    base = subject.base_amount or Decimal(0)
    bpi = subject.planned_bpi or 0
    others = subject.planned_newcomers or 0
    ceiling = max_complement(base, bpi, others, rules.raw)
    if complement <= ceiling:
        return None
    if bpi <= 0:
        return (
            "Les crédits complémentaires accompagnent l'ouverture d'actions pour BPI aux autres "
            "primo-arrivants : indiquez le nombre de BPI prévus."
        )
    return (
        f"Les crédits complémentaires ne peuvent pas dépasser {format_euros(ceiling)} : socle × autres "  # noqa: RUF001
        f"primo-arrivants prévus ÷ BPI prévus ({format_euros(base)} × {others} ÷ {bpi}), plafonné à "  # noqa: RUF001
        f"{format_euros(rules.complement_cap)} (campagne {rules.year}) ; {format_euros(complement)} indiqués."
    )


def bpi_only_justification(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.target_public != TargetPublic.BPI_ONLY or not rules.bpi_only_needs_justification:
        return None
    if subject.bpi_justification.strip():
        return None
    return (
        "Un projet réservé aux BPI doit être expressément justifié : expliquez pourquoi il ne s'adresse "
        "pas à tous les primo-arrivants."
    )


def bpi_only_widening(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.target_public != TargetPublic.BPI_ONLY or not rules.bpi_only_needs_justification:
        return None
    if subject.widening_perspective.strip():
        return None
    return "Un projet réservé aux BPI doit présenter une perspective d'élargissement aux autres primo-arrivants."


def diagnostic_advised(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.has_diagnostic:
        return None
    return (
        "Un diagnostic territorial n'est pas obligatoire, mais il est conseillé : joignez-le si vous "
        "en avez un, il éclaire l'instruction."
    )


def engagement_required(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.contribution_kinds:
        return None
    return (
        "Indiquez au moins un engagement de la collectivité : cofinancement, mise à disposition d'une "
        "salle ou de personnel, relais de communication, aide au repérage du public ou soutien à "
        "l'association porteuse."
    )


def amount_positive(subject: RuleSubject, rules: CampaignRules) -> str | None:
    if subject.requested_amount is not None and subject.requested_amount > 0:
        return None
    return "Indiquez le montant demandé à l'État : il doit être supérieur à 0 € (il n'y a pas de minimum)."


def evaluation_expected(subject: RuleSubject, rules: CampaignRules) -> str | None:
    amount = subject.requested_amount
    if amount is None or amount < rules.evaluation_threshold:
        return None
    return (
        f"À partir de {format_euros(rules.evaluation_threshold)} de crédits de l'État, le projet pourra "
        "faire l'objet d'une évaluation qualitative approfondie : prévoyez-la dans son suivi."
    )


# --- The table -----------------------------------------------------------------------------------

_CTAI = frozenset({Instrument.CTAI, Instrument.PROGRAMMING})
_CONTRACT = frozenset({Instrument.CTAI})
_PTAI = frozenset({Instrument.PTAI})

RULES: tuple[Rule, ...] = (
    # CTAI (the contract) and its yearly programmings.
    Rule("ctai.domains.mandatory", Severity.BLOCKING, _CTAI, "domains",
         "Le contrat (et chaque programmation) comporte une action de chaque domaine obligatoire (logement).",
         ctai_mandatory_domains),
    Rule("ctai.domains.min", Severity.BLOCKING, _CTAI, "domains",
         "Le contrat (et chaque programmation) couvre le nombre minimum de domaines de la campagne.",
         ctai_min_domains),
    Rule("ctai.signatory.type", Severity.DEROGATION, _CONTRACT, "signatory",
         "Le signataire est une métropole, une communauté urbaine, un département ou une région ; sinon, "
         "justification écrite.", signatory_type),
    Rule("ctai.letter.required", Severity.BLOCKING, _CONTRACT, "letter_date",
         "La lettre d'engagement est déposée (sauf pour l'élargissement d'un CTAIR, qui part de la "
         "déclaration d'intention de la collectivité).", letter_required),
    Rule("ctai.letter.deadline", Severity.DEROGATION, _CONTRACT, "letter_date",
         "La lettre d'engagement arrive avant la date limite pour une signature l'année suivante ; "
         "sinon, retard justifié par écrit. Ne s'applique pas à l'élargissement d'un CTAIR.",
         letter_deadline),
    Rule("ctai.base.bounds", Severity.BLOCKING, _CTAI, "base_amount",
         "Le socle est compris entre les bornes de la campagne.", base_bounds),
    Rule("ctai.complement.cap", Severity.BLOCKING, _CTAI, "complement_amount",
         "Les crédits complémentaires respectent la règle de la campagne et son plafond.", complement_cap),
    # PTAI.
    Rule("ptai.domains.mandatory", Severity.BLOCKING, _PTAI, "domains",
         "Le projet couvre chaque domaine obligatoire de la campagne (logement à partir de 2022).",
         ptai_mandatory_domains),
    Rule("ptai.domains.min", Severity.BLOCKING, _PTAI, "domains",
         "Le projet couvre le nombre minimum de domaines de la campagne.", ptai_min_domains),
    Rule("ptai.bpi_only.justification", Severity.BLOCKING, _PTAI, "bpi_justification",
         "Un projet réservé aux BPI est expressément justifié.", bpi_only_justification),
    Rule("ptai.bpi_only.widening", Severity.BLOCKING, _PTAI, "widening_perspective",
         "Un projet réservé aux BPI présente une perspective d'élargissement.", bpi_only_widening),
    Rule("ptai.engagement.required", Severity.BLOCKING, _PTAI, "contributions",
         "La collectivité montre au moins un engagement.", engagement_required),
    Rule("ptai.amount.positive", Severity.BLOCKING, _PTAI, "requested_amount",
         "Le montant demandé est supérieur à 0 € (sans minimum).", amount_positive),
    Rule("ptai.diagnostic.advised", Severity.WARNING, _PTAI, "diagnostic",
         "Un diagnostic territorial est conseillé.", diagnostic_advised),
    Rule("ptai.evaluation.expected", Severity.WARNING, _PTAI, "requested_amount",
         "Au-delà du seuil d'évaluation, une évaluation qualitative est à prévoir.", evaluation_expected),
)  # fmt: skip
RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in RULES})
DEROGATION_RULE_IDS = frozenset(rule.id for rule in RULES if rule.severity == Severity.DEROGATION)


def check(
    subject: RuleSubject, campaign_rules: Mapping[str, Any], *, lifted: Mapping[str, str] = NO_LIFT
) -> list[Finding]:
    """Every finding of the rules that apply to the subject's instrument, in the table's order.

    `campaign_rules` is a `Campaign.rules()` dict (possibly one stored with a past decision).
    A derogation finding whose rule id has a non-blank justification in `lifted` is left out.
    """
    rules = CampaignRules.from_dict(campaign_rules)
    instrument = Instrument(subject.instrument)
    findings = []
    for rule in RULES:
        if instrument not in rule.instruments:
            continue
        if rule.severity == Severity.DEROGATION and lifted.get(rule.id, "").strip():
            continue
        message = rule.test(subject, rules)
        if message is not None:
            findings.append(Finding(rule.id, rule.severity, message, rule.field))
    return findings


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """What stops a transition: blocking findings and derogations not lifted."""
    return [finding for finding in findings if finding.is_blocking]


def warnings(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity == Severity.WARNING]


def derogations(findings: Iterable[Finding]) -> list[Finding]:
    """Findings a written justification may lift."""
    return [finding for finding in findings if finding.severity == Severity.DEROGATION]

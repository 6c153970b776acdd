"""A CTAI yearly programming's own checks, beside the campaign's rules (`programme.rules`): pure
functions over its actions and its two amounts, returning `Finding`s with French messages, as the rule
engine does. `Programming.findings()` adds them to the campaign's; the same list feeds the "Ce qu'il
manque" panel, the API and the guards of `present` and `approve` (blocking ones refuse).

| id | severity | what it says |
|---|---|---|
| `ctai.programming.actions` | blocking | at least one action |
| `ctai.base.bpi` | blocking | an action carried on the socle plans BPI (F11: the socle funds actions for BPI) |
| `ctai.complement.newcomers` | blocking | an action carried on the complement is open to other primo-arrivants |

(The part of an action whose public is outside the programme — asylum seekers, foreigners settled for
more than five years — is not checked: the Diair cannot accept it, `ctai.action.public`.)
| `ctai.base.total` | blocking | the State amounts of the socle's actions add up to the socle |
| `ctai.complement.total` | blocking | those of the complement's actions add up to the complement |
| `ctai.action.priority` | warning | the action names the priority of the national strategy it serves (F13) |
| `ctai.action.need` | warning | the action names the need of the diagnostic it answers (F13) |
| `ctai.action.cir` | warning | the action says how it complements the CIR (F07) |

An action here is anything with `title`, `part`, `public`, `planned_bpi`, `planned_newcomers`,
`state_amount`, `priority_id`, `diagnosis_need` and `cir_link` (a `contracts.models.Action`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from contracts.enums import ActionPart
from core.formats import format_euros
from programme.enums import Severity
from programme.rules import Finding

# contracts.models.ActionPublic (the models import this module): BPI only, BPI and other newcomers.
BPI_ONLY = "bpi"
PROGRAMME_PUBLICS = frozenset({"bpi", "newcomers"})


def _warning(rule_id: str, message: str, field: str) -> Finding:
    return Finding(rule_id, Severity.WARNING, message, field)


def _blocking(rule_id: str, message: str, field: str) -> Finding:
    return Finding(rule_id, Severity.BLOCKING, message, field)


def action_findings(action: Any) -> list[Finding]:
    """What one action lacks or breaks: its part (F11), its priority (F13), its need, its CIR link."""
    title = action.title
    found = []
    # An action whose public is outside the programme (asylum seekers…) is the Diair's to send back
    # (`ctai.action.public`): no part can carry it, its part is not checked.
    in_programme = action.public in PROGRAMME_PUBLICS
    if in_programme and action.part == ActionPart.BASE and action.planned_bpi <= 0:
        found.append(
            _blocking(
                "ctai.base.bpi",
                f"Action « {title} » : portée par le socle, qui finance les actions en faveur des BPI, elle "
                "doit prévoir des BPI parmi ses bénéficiaires (ou passer sur les crédits complémentaires si "
                "elle s'adresse aux autres primo-arrivants).",
                "part",
            )
        )
    if in_programme and action.part == ActionPart.COMPLEMENT:
        if action.public == BPI_ONLY:
            found.append(
                _blocking(
                    "ctai.complement.newcomers",
                    f"Action « {title} » : réservée aux BPI, elle relève du socle, pas des crédits "
                    "complémentaires, qui financent l'ouverture des actions aux autres primo-arrivants.",
                    "part",
                )
            )
        elif action.planned_newcomers <= 0:
            found.append(
                _blocking(
                    "ctai.complement.newcomers",
                    f"Action « {title} » : portée par les crédits complémentaires, elle doit prévoir d'autres "
                    "primo-arrivants que les BPI parmi ses bénéficiaires (ou passer sur le socle).",
                    "part",
                )
            )
    if action.priority_id is None:
        found.append(
            _warning(
                "ctai.action.priority",
                f"Action « {title} » : indiquez la priorité de la stratégie nationale pour l'accueil et "
                "l'intégration des réfugiés qu'elle sert.",
                "priority",
            )
        )
    if not action.cir_link.strip():
        found.append(
            _warning(
                "ctai.action.cir",
                f"Action « {title} » : indiquez comment elle complète le contrat d'intégration républicaine "
                "(CIR) des personnes accompagnées.",
                "cir_link",
            )
        )
    if not action.diagnosis_need.strip():
        found.append(
            _warning(
                "ctai.action.need",
                f"Action « {title} » : indiquez le besoin du diagnostic territorial auquel elle répond.",
                "diagnosis_need",
            )
        )
    return found


def part_sums(actions: Sequence[Any]) -> dict[str, Decimal]:
    """The State amounts asked by the actions of each part: {"base": …, "complement": …}."""
    sums = {ActionPart.BASE.value: Decimal("0.00"), ActionPart.COMPLEMENT.value: Decimal("0.00")}
    for action in actions:
        sums[action.part] = sums.get(action.part, Decimal("0.00")) + action.state_amount
    return sums


def money_findings(actions: Sequence[Any], *, base_amount: Decimal, complement_amount: Decimal) -> list[Finding]:
    """At least one action; the socle's actions make the socle, the complement's the complement (F11)."""
    if not actions:
        return [_blocking("ctai.programming.actions", "Ajoutez au moins une action.", "actions")]
    sums = part_sums(actions)
    found = []
    on_base, on_complement = sums[ActionPart.BASE], sums[ActionPart.COMPLEMENT]
    if on_base != base_amount:
        found.append(
            _blocking(
                "ctai.base.total",
                f"Les actions portées par le socle demandent {format_euros(on_base)} à l'État : elles doivent "
                f"faire exactement le socle de {format_euros(base_amount)} (les actions en faveur des BPI).",
                "base_amount",
            )
        )
    if on_complement != complement_amount:
        found.append(
            _blocking(
                "ctai.complement.total",
                f"Les actions portées par les crédits complémentaires demandent {format_euros(on_complement)} "
                f"à l'État : elles doivent faire exactement le complément de {format_euros(complement_amount)}.",
                "complement_amount",
            )
        )
    return found


def programming_checks(actions: Sequence[Any], *, base_amount: Decimal, complement_amount: Decimal) -> list[Finding]:
    """Every own check of a programming, the actions' first (in their order), then the sums."""
    found = [finding for action in actions for finding in action_findings(action)]
    return found + money_findings(actions, base_amount=base_amount, complement_amount=complement_amount)

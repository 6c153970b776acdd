"""A PTAI as the rule engine sees it, and everything that is missing before it can be submitted.

`findings(project)` feeds the "Ce qu'il manque" panel, the forms and the workflow guard of
`submit` / `resubmit`: the programme's rules (`programme.rules.check`) with the file's stored
rules (those of its campaign when it was submitted), or the campaign's current rules while it is a
draft, followed by this app's completeness checks (title, dates, carrier…).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from programme.enums import Instrument, Severity
from programme.rules import Finding, RuleSubject, check
from projects.enums import CarrierKind

if TYPE_CHECKING:
    from projects.models import Project


def subject_for(project: Project) -> RuleSubject:
    """What the project says about itself (3 queries: domains, contributions; the amount is a field)."""
    return RuleSubject(
        instrument=Instrument.PTAI,
        domains=frozenset(d.code for d in project.domains.all()),
        target_public=project.target_public,
        bpi_justification=project.bpi_justification,
        widening_perspective=project.widening_perspective,
        has_diagnostic=bool(project.diagnostic.strip()),
        contribution_kinds=frozenset(c.kind for c in project.contributions.all()),
        requested_amount=project.requested_amount,
        planned_bpi=project.planned_bpi,
        planned_newcomers=project.planned_newcomers,
    )


def rules_for(project: Project) -> dict[str, Any]:
    """The rules the file is checked with: its own once submitted, else the campaign's current ones."""
    if project.rules:
        return dict(project.rules)
    return project.campaign.rules()


def _blocking(rule_id: str, field: str, message: str) -> Finding:
    return Finding(rule_id, Severity.BLOCKING, message, field)


def completeness(project: Project) -> list[Finding]:
    """What the request form needs before submission (not programme rules: no campaign parameter)."""
    missing = []
    if not project.title.strip():
        missing.append(_blocking("ptai.form.title", "title", "Donnez un titre au projet."))
    if not project.summary.strip():
        missing.append(_blocking("ptai.form.summary", "summary", "Résumez le projet en quelques lignes."))
    if project.start_date is None or project.end_date is None:
        missing.append(_blocking("ptai.form.dates", "start_date", "Indiquez les dates de début et de fin du projet."))
    if project.carrier_kind == CarrierKind.ASSOCIATION and not (project.carrier_name.strip() and project.siret):
        missing.append(
            _blocking(
                "ptai.form.carrier",
                "carrier_name",
                "Indiquez le nom et le numéro SIRET de l'association qui porte l'action.",
            )
        )
    return missing


def advice(project: Project) -> list[Finding]:
    """What the request should say, without blocking it (F07: the link with the CIR)."""
    if project.cir_link.strip():
        return []
    return [
        Finding(
            "ptai.cir",
            Severity.WARNING,
            "Indiquez comment le projet complète le contrat d'intégration républicaine (CIR) des personnes "
            "accompagnées.",
            "cir_link",
        )
    ]


def findings(project: Project, *, rules: dict[str, Any] | None = None) -> list[Finding]:
    """Every blocking finding and warning of the file, programme rules first."""
    return [
        *check(subject_for(project), rules if rules is not None else rules_for(project)),
        *completeness(project),
        *advice(project),
    ]

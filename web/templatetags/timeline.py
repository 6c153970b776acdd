"""The timeline in plain French: each event's details as sentences a user reads, never raw data.

The audit trail keeps its details as recorded (`audit.models.Event.details`, a JSON object with
French keys); this filter turns them into lines: a document becomes « Pièce jointe : diagnostic.pdf
(303 octets) », a list becomes « a, b », a rule id its summary, a boolean « oui » / « non », and the
keys that only serve the code (ids, the internal flag) are left out.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat

from contracts.documents import KIND_LABELS as CONTRACT_KINDS
from programme.rules import RULES_BY_ID

register = template.Library()

# Kept for the code (links, the public filter), meaningless to a reader.
HIDDEN = frozenset({"document", "message", "interne", "programmation"})
DOCUMENT_KINDS: dict[str, str] = {
    "piece-jointe": "Pièce jointe",
    "attachment": "Pièce jointe",
    "decision-attributive": "Décision attributive",
    "lettre-notification": "Lettre de notification",
    "lettre-refus": "Lettre de refus",
    **CONTRACT_KINDS,
}


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None or value == "":
        return "—"
    if key == "règle" and value in RULES_BY_ID:
        return RULES_BY_ID[value].summary
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item) for item in value) or "—"
    if isinstance(value, dict):
        return " ; ".join(f"{k} : {_value(k, v)}" for k, v in value.items())
    return str(value)


def _document(details: dict[str, Any]) -> str:
    kind = DOCUMENT_KINDS.get(str(details.get("nature", "")), "Document")
    name = details.get("nom", "")
    size = details.get("taille")
    return f"{kind} : {name} ({filesizeformat(size)})" if isinstance(size, int) else f"{kind} : {name}"


def lines(verb: str, details: dict[str, Any]) -> list[str]:
    """The details of one event, as the sentences the timeline shows."""
    if not isinstance(details, dict):
        return []
    if verb.startswith("documents.") and "nom" in details:
        return [_document(details)]
    shown = []
    for key, value in details.items():
        if key in HIDDEN:
            continue
        if key == "pièces jointes":
            if isinstance(value, int) and value:
                shown.append(f"{value} pièce{'s' if value > 1 else ''} jointe{'s' if value > 1 else ''}")
            continue
        shown.append(f"{key[:1].upper()}{key[1:]} : {_value(key, value)}")
    return shown


@register.filter
def event_lines(event: Any) -> list[str]:
    return lines(event.verb, event.details)

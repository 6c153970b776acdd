"""PDF documents from Django templates, rendered by WeasyPrint without any network access.

Templates live in `documents/templates/documents/pdf/` and extend `documents/pdf/base.html`
(the "République française" block, "Ministère de l'Intérieur", a header, page numbers). Their
stylesheet and any image are read from `documents/static/documents/pdf/` only: the URL fetcher
refuses every URL that is not a file of that folder or a `data:` URL, so rendering never touches
the network and a template cannot read files elsewhere on the machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "documents" / "pdf"
TEMPLATE_DIR = "documents/pdf/"

# The keys each shipped template needs (also documented at the top of each template). A missing
# key is a programming error: render_pdf refuses it rather than print a decision without an amount.
REQUIRED_KEYS: dict[str, frozenset[str]] = {
    "decision_attributive.html": frozenset(
        {
            "issuer_name",
            "beneficiary_name",
            "subject",
            "amount",
            "budget_line",
            "advance_percent",
            "advance_amount",
            "balance_amount",
        }
    ),
    "notification_letter.html": frozenset({"issuer_name", "recipient_name", "subject", "amount"}),
    "refusal_letter.html": frozenset({"issuer_name", "recipient_name", "subject", "reason"}),
    "ctai_engagement_letter.html": frozenset({"authority_name", "department_name", "signature_year"}),
    "ctai_contract.html": frozenset({"issuer_name", "reference", "authority_name", "department_name", "text"}),
    "ctai_amendment.html": frozenset({"issuer_name", "reference", "authority_name", "number", "summary"}),
}


def _template_path(template_name: str) -> str:
    return template_name if template_name.startswith(TEMPLATE_DIR) else f"{TEMPLATE_DIR}{template_name}"


def render_html(template_name: str, context: Mapping[str, Any]) -> str:
    """The HTML that render_pdf prints (for previews and tests)."""
    path = _template_path(template_name)
    short = path.removeprefix(TEMPLATE_DIR)
    missing = REQUIRED_KEYS.get(short, frozenset()) - {key for key, value in context.items() if value is not None}
    if missing:
        raise ValueError(f"{short} needs {', '.join(sorted(missing))} in its context.")
    full = {"issued_on": timezone.localdate(), **context}
    return render_to_string(path, full)


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render `documents/pdf/<template_name>` with `context` to PDF bytes."""
    from documents.weasy import write_pdf

    return write_pdf(render_html(template_name, context), assets_dir=ASSETS_DIR)

"""The CTAI's documents (F18, F19, F21), each a `documents.Document` of the contract by kind:

- the lettre d'engagement (F18): uploaded, or generated from a model addressed to the préfet de
  département and the Diair, pre-filled with the collectivité, the date and the signature year;
- the diagnostic's attached document (F19);
- the contract's text: pre-filled from a model (`contracts/contract_text.txt`: the collectivité, the
  département, the duration, the coordinator), edited by the collectivité, the préfet and the Diair
  while drafting (`Contract.text`, kept in the contract's history), printed to PDF;
- the scan of the signed contract (F21), at or after the signature.

The amendments' documents are in `contracts.amendments`. Uploads are checked by their content
(`documents.uploads.inspect_upload`); who may attach what, and when, is `UPLOADS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone

from audit.services import record_event
from contracts import permissions
from contracts.enums import OPEN_STATES, ContractState
from contracts.models import Amendment, Contract
from documents.authority import prefecture_block
from documents.models import Document
from documents.services import attach, generate
from messaging.models import Message
from referential.naming import letter_name

S = ContractState

KIND_LETTER = "lettre-engagement"
KIND_DIAGNOSIS = "diagnostic"
KIND_TEXT = "texte-contrat"
KIND_SIGNED = "contrat-signe"

TEXT_MAX_LENGTH = 100_000


def _agent_or_prefect(contract: Contract, user: Any) -> bool:
    return permissions.is_agent(contract, user) or permissions.is_prefect(contract, user)


@dataclass(frozen=True)
class UploadKind:
    label: str
    states: tuple[str, ...]  # the contract's states in which it may be attached
    who: Callable[[Contract, Any], bool]
    when: str  # said when the upload is refused for the state


UPLOADS: dict[str, UploadKind] = {
    KIND_LETTER: UploadKind(
        "Lettre d'engagement", tuple(OPEN_STATES), permissions.may_contribute, "tant que le contrat n'est pas signé"
    ),
    KIND_DIAGNOSIS: UploadKind(
        "Document du diagnostic territorial",
        (S.DIAGNOSIS, S.DRAFTING),
        permissions.may_contribute,
        "pendant le diagnostic et la rédaction",
    ),
    KIND_SIGNED: UploadKind(
        "Contrat signé (scan)", (S.SIGNED, S.ENDED), _agent_or_prefect, "une fois le contrat signé"
    ),
}
# Every kind of the contract's documents, in the order the page shows them.
KIND_LABELS: dict[str, str] = {
    KIND_LETTER: "Lettre d'engagement",
    KIND_DIAGNOSIS: "Diagnostic territorial",
    KIND_TEXT: "Texte du contrat",
    KIND_SIGNED: "Contrat signé",
}


def upload_kinds(contract: Contract, user: Any) -> list[tuple[str, str]]:
    """The kinds `user` may attach to `contract` now, as (code, label) choices."""
    return [
        (code, kind.label)
        for code, kind in UPLOADS.items()
        if contract.state in kind.states and kind.who(contract, user)
    ]


def attach_document(*, contract: Contract, user: Any, kind: str, uploaded_file: Any, inspected: Any = None) -> Document:
    """Attach an uploaded file of `kind` (`UPLOADS`) to the contract. Raises PermissionDenied
    (not this person, or not now) or ValidationError (the file's content is refused)."""
    spec = UPLOADS.get(kind)
    if spec is None:
        raise ValidationError("Choisissez la nature du document.", code="kind")
    if not spec.who(contract, user):
        raise PermissionDenied(f"Vous ne pouvez pas joindre « {spec.label.lower()} » à ce contrat.")
    if contract.state not in spec.states:
        raise PermissionDenied(f"« {spec.label} » se joint {spec.when}.")
    return attach(actor=user, target=contract, uploaded_file=uploaded_file, kind=kind, inspected=inspected)


def documents_of(contract: Contract, user: Any) -> QuerySet[Document]:
    """The contract's documents and its amendments' that `user` may see, oldest first (one query,
    whatever their number). The caller has fetched the contract through its scope."""
    amendment_ids = (
        Amendment.objects.filter(contract_id=contract.pk).annotate(key=Cast("pk", CharField())).values("key")
    )
    return (
        Document.objects.visible_to(user)
        .filter(
            Q(target_type=ContentType.objects.get_for_model(Contract), target_id=str(contract.pk))
            | Q(target_type=ContentType.objects.get_for_model(Amendment), target_id__in=amendment_ids)
        )
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )


def contract_id_of(document: Document) -> str | None:
    """The contract a document belongs to: its target, its amendment's, or its message's thread's."""
    types = ContentType.objects.get_for_models(Contract, Amendment, Message)
    if document.target_type_id == types[Contract].pk:
        return document.target_id
    if document.target_type_id == types[Amendment].pk:
        contract_id = Amendment.objects.filter(pk=document.target_id).values_list("contract_id", flat=True).first()
        return None if contract_id is None else str(contract_id)
    if document.target_type_id == types[Message].pk:
        message = Message.objects.select_related("thread").filter(pk=document.target_id).first()
        if message is not None and message.thread.target_type_id == types[Contract].pk:
            return message.thread.target_id
    return None


# --- The lettre d'engagement generated from a model (F18) -------------------------------------

LETTER_STATES = (S.CONTACT, S.LETTER_RECEIVED)


def may_generate_letter(contract: Contract, user: Any) -> bool:
    return contract.state in LETTER_STATES and permissions.may_contribute(contract, user)


def _authority_names(contract: Contract) -> dict[str, str]:
    """The collectivité as a deed names it: in a heading, and inside a sentence."""
    name = letter_name(contract.authority)
    return {"authority_name": name.title, "authority_in_sentence": name.in_sentence}


def letter_context(contract: Contract) -> dict[str, Any]:
    return {
        **_authority_names(contract),
        "department_name": contract.department.name,
        "department_code": contract.department.code,
        "department_of_name": contract.department.of_name,  # "de l'Isère"
        "prefecture_address": prefecture_block(contract.department)["issuer_address"],
        "issued_on": contract.letter_date or timezone.localdate(),
        "signature_year": contract.signature_year or contract.campaign.year + 1,
        "campaign_year": contract.campaign.year,
        "elected_official_name": contract.elected_official_name,
        "widens": str(contract.widens) if contract.widens_id else "",
    }


def generate_letter(*, contract: Contract, user: Any) -> Document:
    """The lettre d'engagement from its model (`documents/pdf/ctai_engagement_letter.html`), from
    the collectivité to the préfet de département and the Diair, to print, sign and send."""
    if not may_generate_letter(contract, user):
        raise PermissionDenied("La lettre d'engagement se prépare avant ou à son enregistrement.")
    return generate(
        actor=user,
        target=contract,
        template_name="ctai_engagement_letter.html",
        context=letter_context(contract),
        kind=KIND_LETTER,
        filename=f"lettre-engagement-ctai-{contract.pk}",
    )


# --- The contract's text ----------------------------------------------------------------------

TEXT_STATES = (S.DRAFTING,)
PDF_STATES = (S.DRAFTING, S.SIGNED, S.ENDED)


def may_edit_text(contract: Contract, user: Any) -> bool:
    return contract.state in TEXT_STATES and permissions.may_contribute(contract, user)


def may_print_text(contract: Contract, user: Any) -> bool:
    return contract.state in PDF_STATES and permissions.may_contribute(contract, user)


def draft_text(contract: Contract) -> str:
    """The contract's text from its model, pre-filled with the collectivité, the département, the
    duration and the coordinator (what is not known yet is left in brackets)."""
    return render_to_string(
        "contracts/contract_text.txt",
        {
            "contract": contract,
            "authority": letter_name(contract.authority).in_sentence,
            "department": contract.department.name,
            "department_of": contract.department.of_name,
            "duration_years": contract.duration_years,
            "effective_from": contract.effective_from,
            "effective_to": contract.effective_to,
            "signature_year": contract.signature_year or contract.campaign.year + 1,
            "coordinator_name": contract.coordinator_name,
            "coordinator_role": contract.coordinator_role,
            "coordinator_recruiting": contract.coordinator_recruiting,
            "widens": str(contract.widens) if contract.widens_id else "",
        },
    ).strip()


def current_text(contract: Contract) -> str:
    return contract.text or draft_text(contract)


@transaction.atomic
def save_text(*, contract: Contract, user: Any, text: str) -> Contract:
    """Save the contract's text while drafting (a new version in `Contract.history`)."""
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("department", "authority", "campaign")
        .get(pk=contract.pk)
    )
    if not permissions.may_contribute(locked, user):
        raise PermissionDenied("Seuls la collectivité, le préfet et la Diair rédigent le contrat.")
    if locked.state not in TEXT_STATES:
        raise PermissionDenied("Le texte du contrat se rédige à l'étape « contrat en rédaction ».")
    text = (text or "").strip().replace("\r\n", "\n")
    if not text:
        raise ValidationError("Le texte du contrat est vide.", code="text_empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            f"Le texte est trop long : {len(text)} caractères pour {TEXT_MAX_LENGTH} au plus.", code="text_too_long"
        )
    if text == locked.text:
        return locked
    locked.text = text
    locked._history_user = user  # type: ignore[attr-defined]
    locked._change_reason = "Texte du contrat modifié"  # type: ignore[attr-defined]
    locked.save()
    record_event(actor=user, verb="contracts.text_saved", target=locked, details={"caractères": len(text)})
    return locked


def generate_text_pdf(*, contract: Contract, user: Any) -> Document:
    """The contract's text printed (`documents/pdf/ctai_contract.html`) with the signature blocks."""
    if not may_print_text(contract, user):
        raise PermissionDenied("Le texte du contrat s'imprime pendant la rédaction ou une fois signé.")
    return generate(
        actor=user,
        target=contract,
        template_name="ctai_contract.html",
        context={
            **prefecture_block(contract.department),
            "reference": f"CTAI-{contract.pk}",
            "contract_title": str(contract),
            "kind_label": contract.get_kind_display(),
            **_authority_names(contract),
            "department_name": contract.department.name,
            "department_of_name": contract.department.of_name,
            "text": current_text(contract),
            "elected_official_name": contract.elected_official_name,
            "prefect_name": contract.prefect_name,
            "delegate_name": contract.delegate_name,
            "signed_on": contract.signed_on,
            # A signed contract is printed as of its signature, not of the day it is printed.
            **({"issued_on": contract.signed_on} if contract.signed_on else {}),
        },
        kind=KIND_TEXT,
        filename=f"contrat-ctai-{contract.pk}",
    )

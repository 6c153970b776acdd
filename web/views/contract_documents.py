"""The contract page's documents, thread, amendments and versions, and their pages (F18, F19, F21, F24).

- Documents (`contracts.documents`): the lettre d'engagement (uploaded, or generated from its model),
  the diagnostic's document, the contract's text (edited while drafting, printed to PDF), the signed
  scan. Uploads are checked by their content; a refusal appears beside the field.
- The thread (`messaging`): the collectivité's agents, the préfet and the Diair write (F19: the Diair's
  support at any time); internal notes are for State agents only; e-mails leave after the commit.
- Amendments (`contracts.amendments`): opened by the contract's `amend` transition, then signed by
  the préfet or abandoned; each has its PDF and, once signed, its signed scan.
- Versions: `Contract.history` (simple-history), each version with its date, who and what changed.
- Downloads: `contract_document_download` serves a document of a contract, of one of its
  amendments or of a message of its thread, to whom may see the contract (`for_user`, else 404)
  and the document (`visible_to`: internal ones for State agents only, else 404).

Every page fetches the contract through `web.views.contracts.get_contract` (404 outside the scope);
an action this person may not do now answers 404 too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.models import Event
from contracts import amendments as amendment_workflow
from contracts import documents as contract_docs
from contracts import permissions
from contracts.enums import ContractState
from contracts.models import Amendment, Contract
from documents.access import is_state_agent
from documents.models import Document
from messaging.models import Message
from messaging.services import post_message
from web.forms.contracts import AMENDMENT_INPUTS, ContractTextForm, DocumentUploadForm
from web.forms.projects import MessageForm
from web.views import contracts as contract_views
from web.views.workflow import transition_page

TIMELINE_LENGTH = 100
HISTORY_LENGTH = 50
AMENDMENT_BADGES = {"drafted": "fr-badge--new", "signed": "fr-badge--success", "abandoned": "fr-badge--error"}


def _contract(request: HttpRequest, pk: int) -> Contract:
    return contract_views.get_contract(
        request, pk, Contract.objects.select_related("campaign", "authority", "department__region", "widens")
    )


def _detail_url(contract: Contract, anchor: str = "") -> str:
    url = reverse("web:contract_detail", args=[contract.pk])
    return f"{url}#{anchor}" if anchor else url


def _form_page(request: HttpRequest, contract: Contract, form: Any, **page: Any) -> HttpResponse:
    """One small page for a form of the contract page (upload, text, message): shown on its own
    without JavaScript, and again with the errors beside the fields."""
    context = {
        "contract": contract,
        "form": form,
        "intro": "",
        "multipart": False,
        "back_url": _detail_url(contract),
        "parent_label": str(contract),
        "parent_url": _detail_url(contract),
        **page,
    }
    return render(request, "web/contracts/form_page.html", context)


# --- What the contract page shows ---------------------------------------------------------------


@dataclass
class AmendmentRow:
    amendment: Amendment
    badge: str
    transitions: list[Any]
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    label: str
    text: str  # "31/12/2024 → 31/12/2025", or "modifié" for texts, JSON and links


@dataclass
class Version:
    date: Any
    user: Any
    reason: str
    created: bool
    changes: list[Change]


def contract_timeline(contract: Contract, user: Any) -> Any:
    """The audit events of the contract; those about internal notes and documents only for State agents."""
    events = Event.objects.for_target(contract).timeline()
    if not is_state_agent(user):
        events = events.public()
    return events[:TIMELINE_LENGTH]


def _documents(contract: Contract, user: Any) -> list[Document]:
    """The contract's documents and its amendments' in one query, whatever their number."""
    return list(contract_docs.documents_of(contract, user))


def _display(model_field: Any, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _change(model_field: Any, old: Any, new: Any) -> Change:
    label = str(model_field.verbose_name).capitalize()
    if model_field.is_relation or model_field.get_internal_type() in ("TextField", "JSONField"):
        return Change(label, "modifié" if old not in (None, "", {}, []) else "rempli")
    return Change(label, f"{_display(model_field, old)} → {_display(model_field, new)}")


def versions(contract: Contract) -> list[Version]:
    """The contract's versions, newest first (`Contract.history`, one query): the creation, then
    each save that changed something (dates, signatories, text, state…), with who and why."""
    records = list(
        contract.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_LENGTH + 1]
    )
    shown = []
    for index, record in enumerate(records[:HISTORY_LENGTH]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            for change in record.diff_against(older).changes:
                changes.append(_change(Contract._meta.get_field(change.field), change.old, change.new))
        created = record.history_type == "+"
        if changes or created:
            shown.append(
                Version(record.history_date, record.history_user, record.history_change_reason or "", created, changes)
            )
    return shown


def contract_page_context(contract: Contract, user: Any) -> dict[str, Any]:
    """The context entries of the contract page for its documents, thread, amendments, versions.
    Its query count does not grow with the number of documents, messages or amendments."""
    amendments = list(Amendment.objects.filter(contract_id=contract.pk).order_by("number"))
    rows: dict[int, AmendmentRow] = {}
    for amendment in amendments:
        amendment.contract = contract  # the permissions read its scope without a query per row
        rows[amendment.pk] = AmendmentRow(
            amendment,
            AMENDMENT_BADGES.get(amendment.state, ""),
            amendment_workflow.available_transitions(amendment, user),
        )
    contract_type = ContentType.objects.get_for_model(Contract)
    groups: dict[str, list[Document]] = {kind: [] for kind in contract_docs.KIND_LABELS}
    for document in _documents(contract, user):
        if document.target_type_id == contract_type.pk:
            groups.setdefault(document.kind, []).append(document)
        elif int(document.target_id) in rows:
            rows[int(document.target_id)].documents.append(document)
    may_write = permissions.may_contribute(contract, user)
    return {
        "document_groups": [
            (contract_docs.KIND_LABELS.get(kind, kind), documents) for kind, documents in groups.items() if documents
        ],
        "upload_kinds": contract_docs.upload_kinds(contract, user),
        "can_generate_letter": contract_docs.may_generate_letter(contract, user),
        "can_edit_text": contract_docs.may_edit_text(contract, user),
        "can_print_text": contract_docs.may_print_text(contract, user),
        "amendment_rows": list(rows.values()),
        "show_amendments": bool(rows) or contract.state in (ContractState.SIGNED, ContractState.ENDED),
        "thread_messages": Message.objects.for_target(contract).visible_to(user).for_display(),
        "message_form": MessageForm(state_agent=is_state_agent(user)) if may_write else None,
        "versions": versions(contract),
    }


# --- Downloads ------------------------------------------------------------------------------------


def contract_document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A document of a contract (or of its amendments, or of its thread): 404 unless the user may
    see the contract and the document (internal ones: State agents only)."""
    user = request.user
    if not contract_views.can_see_ctai(user):
        raise Http404
    document = Document.objects.visible_to(user).filter(pk=pk).first()
    contract_id = contract_docs.contract_id_of(document) if document is not None else None
    if document is None or contract_id is None:
        raise Http404
    if not Contract.objects.for_user(user).filter(pk=contract_id).exists():
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


# --- The contract's documents and text ------------------------------------------------------------


def contract_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    kinds = contract_docs.upload_kinds(contract, request.user)
    if not kinds:
        raise Http404
    initial = {"kind": request.GET.get("nature")} if request.GET.get("nature") in dict(kinds) else {}
    form = DocumentUploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = contract_docs.attach_document(
                contract=contract,
                user=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                inspected=form.inspected,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {document.original_name} » est joint au contrat.")
            return redirect(_detail_url(contract, "documents"))
    return _form_page(
        request,
        contract,
        form,
        title="Joindre un document",
        intro="La lettre d'engagement signée, le document du diagnostic territorial ou le scan du contrat signé.",
        submit_label="Joindre le document",
        multipart=True,
    )


@require_POST
def contract_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The lettre d'engagement generated from its model (F18)."""
    contract = _contract(request, pk)
    if not contract_docs.may_generate_letter(contract, request.user):
        raise Http404
    document = contract_docs.generate_letter(contract=contract, user=request.user)
    messages.success(request, f"La lettre d'engagement est prête : « {document.original_name} ».")
    return redirect(_detail_url(contract, "documents"))


def contract_text(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the contract's text while drafting (pre-filled from its model)."""
    contract = _contract(request, pk)
    if not contract_docs.may_edit_text(contract, request.user):
        raise Http404
    form = ContractTextForm(request.POST or None, initial={"text": contract_docs.current_text(contract)})
    if request.method == "POST" and form.is_valid():
        try:
            contract_docs.save_text(contract=contract, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Le texte du contrat est enregistré.")
            return redirect(_detail_url(contract, "documents"))
    return _form_page(
        request,
        contract,
        form,
        title="Texte du contrat",
        intro="La collectivité, le préfet et la Diair rédigent le texte pendant l'étape « contrat en rédaction ».",
        submit_label="Enregistrer le texte",
    )


@require_POST
def contract_text_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    if not contract_docs.may_print_text(contract, request.user):
        raise Http404
    document = contract_docs.generate_text_pdf(contract=contract, user=request.user)
    messages.success(request, f"Le texte du contrat est imprimé : « {document.original_name} ».")
    return redirect(_detail_url(contract, "documents"))


# --- The thread -----------------------------------------------------------------------------------


def contract_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Write on the contract's thread (F19): the collectivité's agents, the préfet, the Diair."""
    contract = _contract(request, pk)
    user = request.user
    if not permissions.may_contribute(contract, user):
        raise Http404
    form = MessageForm(request.POST or None, request.FILES or None, state_agent=is_state_agent(user))
    if request.method == "POST" and form.is_valid():
        files = [form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else []
        try:
            post_message(
                author=user,  # type: ignore[arg-type]
                target=contract,
                body=form.cleaned_data["body"],
                is_internal=bool(form.cleaned_data.get("is_internal")),
                files=files,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Votre message est envoyé.")
            return redirect(_detail_url(contract, "fil"))
    return _form_page(
        request,
        contract,
        form,
        title="Écrire un message",
        intro="La collectivité, le préfet et la Diair échangent ici ; une note interne n'est lue que par l'État.",
        submit_label="Envoyer",
        multipart=True,
        back_url=_detail_url(contract, "fil"),
    )


# --- Amendments -----------------------------------------------------------------------------------


def _amendment(request: HttpRequest, pk: int, number: int) -> tuple[Contract, Amendment]:
    contract = _contract(request, pk)
    amendment = Amendment.objects.filter(contract_id=contract.pk, number=number).first()
    if amendment is None:
        raise Http404
    amendment.contract = contract
    return contract, amendment


def _amendment_url(amendment: Amendment) -> str:
    return reverse("web:contract_amendment", args=[amendment.contract_id, amendment.number])


def contract_amendment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract, amendment = _amendment(request, pk, number)
    user = request.user
    documents = Document.objects.for_target(amendment).visible_to(user).select_related("uploaded_by")
    return render(
        request,
        "web/contracts/amendments/detail.html",
        {
            "contract": contract,
            "amendment": amendment,
            "badge": AMENDMENT_BADGES.get(amendment.state, ""),
            "transitions": amendment_workflow.available_transitions(amendment, user),
            "log": amendment.transitions.select_related("actor"),
            "documents": documents,
            "can_generate": amendment_workflow.may_generate_pdf(amendment, user),
            "can_attach_scan": amendment_workflow.may_attach_signed_scan(amendment, user),
        },
    )


def contract_amendment_transition(request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
    """Sign (the préfet) or abandon (the collectivité or the préfet) an amendment: the platform's
    one transition page (`web.views.workflow.transition_page`)."""
    contract, amendment = _amendment(request, pk, number)
    return transition_page(
        request,
        obj=amendment,
        name=name,
        workflow=amendment_workflow.AMENDMENT,
        apply=partial(amendment_workflow.apply_transition, amendment=amendment),
        back_url=_amendment_url(amendment),
        context={"contract": contract, "amendment": amendment},
        inputs=AMENDMENT_INPUTS,
        template="web/contracts/amendments/transition.html",
    )


@require_POST
def contract_amendment_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    _, amendment = _amendment(request, pk, number)
    if not amendment_workflow.may_generate_pdf(amendment, request.user):
        raise Http404
    document = amendment_workflow.generate_pdf(amendment=amendment, user=request.user)
    messages.success(request, f"L'avenant est imprimé : « {document.original_name} ».")
    return redirect(_amendment_url(amendment))


def contract_amendment_scan(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract, amendment = _amendment(request, pk, number)
    if not amendment_workflow.may_attach_signed_scan(amendment, request.user):
        raise Http404
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = amendment_workflow.attach_signed_scan(
                amendment=amendment,
                user=request.user,
                uploaded_file=form.cleaned_data["file"],
                inspected=form.inspected,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"« {document.original_name} » est joint à l'avenant n° {amendment.number}.")
            return redirect(_amendment_url(amendment))
    return _form_page(
        request,
        contract,
        form,
        title=f"Avenant n° {amendment.number} signé",
        intro="Joignez le scan de l'avenant signé.",
        submit_label="Joindre le scan",
        multipart=True,
        back_url=_amendment_url(amendment),
        parent_label=f"Avenant n° {amendment.number}",
        parent_url=_amendment_url(amendment),
    )

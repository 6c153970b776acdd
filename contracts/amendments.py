"""Amendments (avenants) of a signed CTAI (F24): opened by the contract's `amend` transition, then
their own small life through the platform's one workflow mechanism (`programme.workflow`):

    drafted ──sign──▶ signed        (the préfet; `signed_on`; applies the new dates to the contract)
    drafted ──abandon──▶ abandoned  (an agent of the collectivité or the préfet; reason required)

At `sign` the new end of effect and duration are written on the contract in the same transaction,
so `Contract.history` (simple-history) keeps the new version, with who and which amendment.
Each amendment has its generated PDF and, once signed, the scan of the signed amendment
(`documents`, target: the amendment).

Keyword-only functions; each checks the permission, writes, and records the audit `Event` on the
contract (its page shows it) in the same transaction. Refusals are `TransitionError`s (French).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from audit.services import record_event
from contracts import permissions
from contracts.enums import AmendmentObject, AmendmentState, AmendmentTransitionName
from contracts.models import Amendment, AmendmentTransition, Contract
from contracts.tasks import after_amendment_transition
from documents.authority import prefecture_block
from documents.models import Document
from documents.services import attach, generate
from programme.errors import TransitionError
from programme.workflow import AvailableTransition, TransitionForm, Workflow
from referential.naming import letter_name

T = AmendmentTransitionName

FORMS: dict[str, TransitionForm] = {
    T.SIGN: TransitionForm(fields=("signed_on",)),
    T.ABANDON: TransitionForm(reason="required", reason_label="Motif de l'abandon de l'avenant"),
}

AMENDMENT = Workflow(names=AmendmentTransitionName, states=AmendmentState, forms=FORMS, noun="Cet avenant")

# Objects whose change the amendment writes on the contract at its signature.
DATE_OBJECTS = frozenset({AmendmentObject.DATES})


def available_transitions(amendment: Amendment, user: Any) -> list[AvailableTransition]:
    """The transitions `user` may apply to `amendment` now (state, role and scope)."""
    return AMENDMENT.available(amendment, user)


def _objects(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    chosen = [str(v) for v in (value or ()) if str(v).strip()]
    unknown = [v for v in chosen if v not in AmendmentObject.values]
    if unknown:
        raise TransitionError(f"Objet d'avenant inconnu : {', '.join(unknown)}.", code="objects_changed")
    if not chosen:
        raise TransitionError(
            "Indiquez ce que l'avenant change : dates, montants, objectifs ou élargissement.", code="objects_changed"
        )
    # In the order of the enum, once each.
    return [v for v in AmendmentObject.values if v in chosen]


def _optional_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise TransitionError("Indiquez la nouvelle fin d'effet (AAAA-MM-JJ).", code="new_effective_to") from None


def _optional_years(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        years = int(value)
    except (TypeError, ValueError):
        years = 0
    if years < 1:
        raise TransitionError("La nouvelle durée du contrat est d'au moins un an.", code="new_duration_years")
    return years


def open_amendment(
    *,
    contract: Contract,
    user: Any,
    summary: str,
    objects_changed: Iterable[str] | str = (),
    new_effective_to: Any = None,
    new_duration_years: Any = None,
    **_: Any,
) -> Amendment:
    """The amendment a contract's `amend` opens, drafted, with the next number. Called by
    `contracts.services.apply_transition` with the contract's row locked (so numbers never clash).
    New dates need the object « Dates »; the new end of effect follows the contract's start."""
    objects = _objects(objects_changed)
    end = _optional_date(new_effective_to)
    years = _optional_years(new_duration_years)
    if (end is not None or years is not None) and not DATE_OBJECTS.intersection(objects):
        raise TransitionError(
            "Cochez « Dates » pour changer la fin d'effet ou la durée du contrat.", code="objects_changed"
        )
    if end is not None and contract.effective_from and end < contract.effective_from:
        raise TransitionError("La nouvelle fin d'effet précède la prise d'effet du contrat.", code="new_effective_to")
    last = Amendment.objects.filter(contract=contract).aggregate(last=Max("number"))["last"] or 0
    return Amendment.objects.create(
        contract=contract,
        number=last + 1,
        objects_changed=objects,
        summary=summary.strip(),
        new_effective_to=end,
        new_duration_years=years,
        created_by=user,
    )


@transaction.atomic
def apply_transition(*, amendment: Amendment, name: str, user: Any, reason: str = "", **data: Any) -> Amendment:
    """Apply `name` (sign, abandon) to `amendment` for `user`, once: lock the contract then the
    amendment, re-read its state, check that the transition is available to this user, run it,
    save the contract changed by a signature (a new version in its history), write the log row
    and the audit event on the contract, and enqueue after the commit the task that sends the
    e-mails (`contracts.tasks.after_amendment_transition`)."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("department", "authority", "campaign")
        .get(pk=amendment.contract_id)
    )
    locked = AMENDMENT.lock(Amendment.objects.all(), amendment)
    locked.contract = contract
    AMENDMENT.guard(locked, amendment.state, name, user)
    source = locked.state
    reason = reason.strip()
    getattr(locked, name)(user=user, reason=reason, **data)
    locked.save()
    if name == T.SIGN:
        contract._history_user = user  # type: ignore[attr-defined]
        contract._change_reason = f"Avenant n° {locked.number} signé"  # type: ignore[attr-defined]
        contract.save()
    log = AmendmentTransition.objects.create(
        amendment=locked, transition=name, source=source, target=locked.state, actor=user, reason=reason
    )
    # E-mails once the transition is committed, whatever door applied it.
    transaction.on_commit(partial(after_amendment_transition.enqueue, log.pk))
    details: dict[str, Any] = {
        "avenant": f"n° {locked.number}",
        "de": AmendmentState(source).label,
        "vers": AmendmentState(locked.state).label,
    }
    if reason:
        details["motif"] = reason
    if name == T.SIGN and locked.signed_on:
        details["signé le"] = locked.signed_on.strftime("%d/%m/%Y")
        if locked.new_effective_to:
            details["nouvelle fin d'effet"] = locked.new_effective_to.strftime("%d/%m/%Y")
        if locked.new_duration_years:
            details["nouvelle durée"] = f"{locked.new_duration_years} an(s)"
    record_event(actor=user, verb=f"contracts.amendment_{name}", target=contract, details=details)
    return locked


# --- Its documents -------------------------------------------------------------------------------

KIND_DRAFT = "avenant"
KIND_SIGNED = "avenant-signe"


def may_generate_pdf(amendment: Amendment, user: Any) -> bool:
    return amendment.state != AmendmentState.ABANDONED and permissions.may_contribute(amendment.contract, user)


def may_attach_signed_scan(amendment: Amendment, user: Any) -> bool:
    """The scan of the signed amendment: once signed, by the collectivité's agents or the préfet."""
    return amendment.state == AmendmentState.SIGNED and (
        permissions.is_agent(amendment.contract, user) or permissions.is_prefect(amendment.contract, user)
    )


def generate_pdf(*, amendment: Amendment, user: Any) -> Document:
    """The amendment printed from `documents/pdf/ctai_amendment.html`: the contract, its parties,
    what the amendment changes (objects, text, new dates), the signature blocks."""
    if not may_generate_pdf(amendment, user):
        raise PermissionDenied("Seuls la collectivité, le préfet et la Diair impriment l'avenant.")
    contract = amendment.contract
    return generate(
        actor=user,
        target=amendment,
        template_name="ctai_amendment.html",
        context={
            **prefecture_block(contract.department),
            "reference": f"CTAI-{contract.pk}-A{amendment.number}",
            "contract_title": str(contract),
            "authority_name": letter_name(contract.authority).in_sentence,
            "department_name": contract.department.name,
            "department_of_name": contract.department.of_name,
            "contract_signed_on": contract.signed_on,
            "number": amendment.number,
            "objects": amendment.objects_labels(),
            "summary": amendment.summary,
            "new_effective_to": amendment.new_effective_to,
            "new_duration_years": amendment.new_duration_years,
            "effective_from": contract.effective_from,
            "elected_official_name": contract.elected_official_name,
            "prefect_name": contract.prefect_name,
            "delegate_name": contract.delegate_name,
            "amendment_signed_on": amendment.signed_on,
            **({"issued_on": amendment.signed_on} if amendment.signed_on else {}),
        },
        kind=KIND_DRAFT,
        filename=f"avenant-{amendment.number}-ctai-{contract.pk}",
    )


def attach_signed_scan(*, amendment: Amendment, user: Any, uploaded_file: Any, inspected: Any = None) -> Document:
    """The scan of the signed amendment, checked by its content (`documents.uploads`)."""
    if not may_attach_signed_scan(amendment, user):
        raise PermissionDenied("La collectivité ou le préfet joint le scan de l'avenant, une fois signé.")
    return attach(actor=user, target=amendment, uploaded_file=uploaded_file, kind=KIND_SIGNED, inspected=inspected)

"""Calls for projects (appels à projets): a collectivité with a signed CTAI selects the actions of
its programming through a call (F22).

The life of a call: drafted by an agent of the collectivité (`create_call`, `update_call`),
published (`publish_call`: deadline in the future, at least one domain, a budget), open until its
deadline (opérateurs `apply_to_call`), then read by the collectivité (`score_application`,
`select_application`, `reject_application`), closed (`close_call`, at any time once published).
A selected application becomes an action of an editable programming of the contract in one click
(`application_to_action`, through `contracts.programming.add_action`).

Keyword-only functions; each checks the permission, writes, records the audit `Event` in the same
transaction. A refusal is a `TransitionError` (French messages; its `code` names the field at
fault when there is one) or a `PermissionDenied`, and nothing is written.

Reads: `calls_for(user)` (what a user may open: the open calls for everyone), `applications_for(user)`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.services import record_event
from contracts import permissions
from contracts.enums import ActionPart, ApplicationStatus, CallState, CarrierKind, ContractState
from contracts.models import Action, ActionPublic, Call, CallApplication, Contract, Programming, as_date
from contracts.notifications import notify_application
from contracts.programming import add_action
from core.formats import format_euros
from finance.services import FinanceError, parse_amount
from programme.errors import TransitionError
from programme.models import Campaign, Domain, DomainQuerySet
from referential.models import Operator, scope_of

CALL_FIELDS = frozenset({"title", "text", "deadline", "budget", "domains", "campaign"})
NOT_AN_AGENT = "Seuls les agents de la collectivité gèrent ses appels à projets."


# --- Reads ---------------------------------------------------------------------------------------


def calls_for(user: Any) -> QuerySet[Call]:
    """The calls `user` may open: the open ones (published, deadline not passed) for everyone,
    anonymous included; every call of the collectivités the user is an agent of (drafts too); the
    calls the user's opérateurs applied to; the published and closed calls of a State agent's
    territory."""
    visible = Q(pk__in=Call.objects.open().values("pk"))
    authorities = permissions.agent_authority_ids(user)
    if authorities:
        visible |= Q(authority_id__in=authorities)
    operators = permissions.operator_ids(user)
    if operators:
        visible |= Q(pk__in=CallApplication.objects.filter(operator_id__in=operators).values("call_id"))
    scope = scope_of(user)
    not_draft = Q(state__in=[CallState.PUBLISHED, CallState.CLOSED])
    if scope.national:
        visible |= not_draft
    elif scope.department_ids or scope.region_ids:
        visible |= not_draft & (
            Q(contract__department_id__in=scope.department_ids)
            | Q(contract__department__region_id__in=scope.region_ids)
        )
    return Call.objects.filter(visible)


def applications_for(user: Any) -> QuerySet[CallApplication]:
    """The applications `user` may open: those to the calls of the collectivités the user is an
    agent of, and those of the user's opérateurs. Nobody else (not even the other opérateurs)."""
    authorities = permissions.agent_authority_ids(user)
    operators = permissions.operator_ids(user)
    if not authorities and not operators:
        return CallApplication.objects.none()
    return CallApplication.objects.filter(Q(call__authority_id__in=authorities) | Q(operator_id__in=operators))


def deadline_passed(call: Call, today: date | None = None) -> bool:
    return (today or timezone.localdate()) > call.deadline


def may_be_scored(call: Call, today: date | None = None) -> bool:
    """Applications are read, scored and decided once the call no longer receives any: after its
    deadline, or once it is closed."""
    return call.state == CallState.CLOSED or (call.state == CallState.PUBLISHED and deadline_passed(call, today))


# --- Helpers -------------------------------------------------------------------------------------


def _amount(value: Any, what: str, code: str) -> Decimal:
    try:
        return parse_amount(value)
    except FinanceError as error:
        raise TransitionError(f"{what} : {' '.join(error.messages)}", code=code) from None


def _domains(values: Any, *, among: Any = None, what: str = "du programme") -> list[Domain]:
    """The domains named by `values` among `among` (a call's) or the programme's active ones."""
    pool: DomainQuerySet = among if among is not None else Domain.objects.filter(is_active=True)
    found = pool.matching(values)
    if found is None:
        raise TransitionError(f"Choisissez les domaines parmi ceux {what}.", code="domains")
    return found


def _check_campaign(contract: Contract, campaign: Campaign) -> None:
    if contract.signed_on and campaign.year < contract.signed_on.year:
        raise TransitionError(
            f"Le contrat est signé en {contract.signed_on.year} : pas d'appel à projets pour {campaign.year}.",
            code="campaign",
        )
    if contract.effective_to and campaign.year > contract.effective_to.year:
        raise TransitionError(
            f"Le contrat prend fin en {contract.effective_to.year} : pas d'appel à projets pour {campaign.year}.",
            code="campaign",
        )


def _lock_call(call: Call, user: Any) -> Call:
    locked = Call.objects.select_for_update(of=("self",)).select_related("contract", "campaign").get(pk=call.pk)
    if not permissions.may_manage_call(locked, user):
        raise PermissionDenied(NOT_AN_AGENT)
    return locked


def _write_call(call: Call, fields: dict[str, Any]) -> list[Domain] | None:
    """Set the call's fields from `fields`; returns the domains to set (None: unchanged)."""
    unknown = set(fields) - CALL_FIELDS
    if unknown:
        raise TypeError(f"Unknown call fields: {sorted(unknown)}")
    if "title" in fields:
        call.title = str(fields["title"] or "").strip()
        if not call.title:
            raise TransitionError("Indiquez le titre de l'appel à projets.", code="title")
    if "text" in fields:
        call.text = str(fields["text"] or "").strip()
        if not call.text:
            raise TransitionError("Écrivez le texte de l'appel : ce qui est attendu des opérateurs.", code="text")
    if "deadline" in fields:
        call.deadline = as_date(fields["deadline"], "la date limite de dépôt", "deadline")
    if "budget" in fields:
        call.budget = _amount(fields["budget"], "Le budget de l'appel", "budget")
    if "campaign" in fields:
        _check_campaign(call.contract, fields["campaign"])
        call.campaign = fields["campaign"]
    return _domains(fields["domains"]) if "domains" in fields else None


def _call_details(call: Call) -> dict[str, Any]:
    return {
        "appel": call.title,
        "année": call.campaign.year,
        "date limite": call.deadline.strftime("%d/%m/%Y"),
        "budget": format_euros(call.budget),
    }


# --- The call ------------------------------------------------------------------------------------


@transaction.atomic
def create_call(
    *,
    user: Any,
    contract: Contract,
    campaign: Campaign,
    title: str,
    text: str,
    deadline: Any,
    budget: Any,
    domains: Any = (),
) -> Call:
    """A call (draft) of a signed contract, by an agent of its collectivité. `domains`: Domain
    objects or codes (may stay empty until publication)."""
    locked = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    if not permissions.may_create_call(locked, user):
        raise PermissionDenied(NOT_AN_AGENT)
    if locked.state != ContractState.SIGNED:
        raise TransitionError(
            "Un appel à projets se publie dans le cadre d'un contrat signé et en vigueur.", code="not_signed"
        )
    call = Call(contract=locked, authority_id=locked.authority_id, created_by=user, state=CallState.DRAFT)
    chosen = _write_call(
        call,
        {
            "title": title,
            "text": text,
            "deadline": deadline,
            "budget": budget,
            "campaign": campaign,
            "domains": domains,
        },
    )
    call.save()
    call.domains.set(chosen or [])
    record_event(actor=user, verb="contracts.call_created", target=call, details=_call_details(call))
    return call


@transaction.atomic
def update_call(*, user: Any, call: Call, **fields: Any) -> Call:
    """Edit a call while it is a draft (title, text, deadline, budget, domains, campaign)."""
    locked = _lock_call(call, user)
    if locked.state != CallState.DRAFT:
        raise TransitionError(
            f"L'appel est « {locked.get_state_display().lower()} » : il ne se modifie plus.", code="not_draft"
        )
    chosen = _write_call(locked, fields)
    locked.save()
    if chosen is not None:
        locked.domains.set(chosen)
    record_event(actor=user, verb="contracts.call_updated", target=locked, details=_call_details(locked))
    return locked


@transaction.atomic
def publish_call(*, user: Any, call: Call) -> Call:
    """Draft → published: the public and the opérateurs see it until its deadline."""
    locked = _lock_call(call, user)
    if locked.state != CallState.DRAFT:
        raise TransitionError("Seul un appel en préparation se publie.", code="not_draft")
    problems: list[tuple[str, str]] = []
    if locked.deadline <= timezone.localdate():
        problems.append(("deadline", "La date limite de dépôt doit être dans le futur."))
    if not locked.domains.exists():
        problems.append(("domains", "Choisissez au moins un domaine."))
    if locked.budget <= 0:
        problems.append(("budget", "Indiquez le budget de l'appel (plus de 0 €)."))
    if problems:
        raise TransitionError(
            [message for _, message in problems],
            code=problems[0][0] if len(problems) == 1 else "incomplete",
            rule_ids=[f"ctai.call.{field}" for field, _ in problems],
        )
    locked.state = CallState.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["state", "published_at"])
    record_event(actor=user, verb="contracts.call_published", target=locked, details=_call_details(locked))
    return locked


@transaction.atomic
def close_call(*, user: Any, call: Call) -> Call:
    """Published → closed (before the deadline too): no more applications."""
    locked = _lock_call(call, user)
    if locked.state != CallState.PUBLISHED:
        raise TransitionError("Seul un appel publié se clôt.", code="not_published")
    locked.state = CallState.CLOSED
    locked.save(update_fields=["state"])
    record_event(
        actor=user,
        verb="contracts.call_closed",
        target=locked,
        details={"appel": locked.title, "candidatures": locked.applications.count()},
    )
    return locked


# --- Applications --------------------------------------------------------------------------------


@transaction.atomic
def apply_to_call(
    *,
    user: Any,
    call: Call,
    operator: Operator,
    title: str,
    description: str,
    domains: Any,
    budget: Any,
    requested_amount: Any,
    public: str = ActionPublic.NEWCOMERS,
    planned_bpi: int = 0,
    planned_newcomers: int = 0,
) -> CallApplication:
    """An opérateur (a member of `operator`) answers an open call: published and its deadline not
    passed. The amount requested is at most the action's budget and the call's budget; the domains
    are among the call's."""
    if not permissions.is_operator_member(operator, user):
        raise PermissionDenied("Seuls les membres de cet opérateur candidatent en son nom.")
    locked = Call.objects.select_for_update(of=("self",)).get(pk=call.pk)
    if not locked.is_open():
        raise TransitionError(
            "Cet appel à projets ne reçoit plus de candidatures (date limite passée ou appel clos).", code="closed"
        )
    title = str(title or "").strip()
    description = str(description or "").strip()
    if not title:
        raise TransitionError("Indiquez l'intitulé de l'action proposée.", code="title")
    if not description:
        raise TransitionError("Décrivez l'action proposée.", code="description")
    if public not in ActionPublic.values:
        raise TransitionError("Choisissez le public de l'action.", code="public")
    chosen = _domains(domains, among=locked.domains.all(), what="de l'appel")
    if not chosen:
        raise TransitionError("Choisissez au moins un domaine parmi ceux de l'appel.", code="domains")
    total = _amount(budget, "Le budget total de l'action", "budget")
    requested = _amount(requested_amount, "Le montant demandé", "requested_amount")
    if requested > total:
        raise TransitionError(
            "Le montant demandé ne peut pas dépasser le budget total de l'action.", code="requested_amount"
        )
    if requested > locked.budget:
        raise TransitionError(
            f"Le montant demandé dépasse le budget de l'appel ({format_euros(locked.budget)}).",
            code="requested_amount",
        )
    try:
        bpi, newcomers = int(planned_bpi or 0), int(planned_newcomers or 0)
    except (TypeError, ValueError):
        raise TransitionError("Indiquez le nombre de personnes prévues.", code="planned_bpi") from None
    if bpi < 0 or newcomers < 0:
        raise TransitionError("Le nombre de personnes prévues est positif.", code="planned_bpi")
    application = CallApplication(
        call=locked,
        operator=operator,
        title=title,
        description=description,
        public=public,
        planned_bpi=bpi,
        planned_newcomers=newcomers,
        budget=total,
        requested_amount=requested,
        submitted_by=user,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise TransitionError(
            "Votre structure a déjà déposé une action de ce titre sur cet appel.", code="title"
        ) from None
    application.domains.set(chosen)
    record_event(
        actor=user,
        verb="contracts.call_application_submitted",
        target=application,
        details={"appel": locked.title, "opérateur": operator.name, "montant demandé": format_euros(requested)},
    )
    transaction.on_commit(partial(notify_application, application.pk, "submitted"))
    return application


def _lock_application(application: CallApplication, user: Any) -> CallApplication:
    locked = (
        CallApplication.objects.select_for_update(of=("self",))
        .select_related("call", "operator")
        .get(pk=application.pk)
    )
    if not permissions.may_score_application(locked, user):
        raise PermissionDenied("Seuls les agents de la collectivité qui a publié l'appel examinent les candidatures.")
    if not may_be_scored(locked.call):
        raise TransitionError(
            "Les candidatures s'examinent après la date limite de dépôt, ou une fois l'appel clos.",
            code="still_open",
        )
    return locked


def _has_action(application: CallApplication) -> bool:
    return Action.objects.filter(application=application).exists()


@transaction.atomic
def score_application(*, user: Any, application: CallApplication, score: Any, comment: str = "") -> CallApplication:
    """The collectivité's score (0 to 20) and comment, after the deadline or once the call is closed."""
    locked = _lock_application(application, user)
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise TransitionError("Indiquez une note entière de 0 à 20.", code="score") from None
    if not 0 <= value <= 20:
        raise TransitionError("La note va de 0 à 20.", code="score")
    locked.score = value
    locked.score_comment = str(comment or "").strip()
    locked.save(update_fields=["score", "score_comment"])
    record_event(
        actor=user,
        verb="contracts.call_application_scored",
        target=locked,
        details={"appel": locked.call.title, "candidature": locked.title, "note": f"{value}/20"},
    )
    return locked


def _decide(user: Any, application: CallApplication, status: str) -> CallApplication:
    locked = _lock_application(application, user)
    if locked.status == status:
        return locked
    if status == ApplicationStatus.REJECTED and _has_action(locked):
        raise TransitionError(
            "Cette candidature est déjà une action de la programmation : retirez d'abord l'action.",
            code="has_action",
        )
    source = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    record_event(
        actor=user,
        verb=f"contracts.call_application_{status}",
        target=locked,
        details={
            "appel": locked.call.title,
            "candidature": locked.title,
            "opérateur": locked.operator.name,
            "de": ApplicationStatus(source).label,
            "vers": ApplicationStatus(status).label,
        },
    )
    transaction.on_commit(partial(notify_application, locked.pk, status))
    return locked


@transaction.atomic
def select_application(*, user: Any, application: CallApplication) -> CallApplication:
    """Retain the application (it may then become an action of the programming)."""
    return _decide(user, application, ApplicationStatus.SELECTED)


@transaction.atomic
def reject_application(*, user: Any, application: CallApplication) -> CallApplication:
    """Do not retain the application (refused once it is an action of the programming)."""
    return _decide(user, application, ApplicationStatus.REJECTED)


@transaction.atomic
def application_to_action(*, user: Any, application: CallApplication, programming: Programming) -> Action:
    """One click: select the application and make it an action of `programming` (an editable
    programming of the call's contract), carried by the opérateur (its SIRET and RNA), with the
    application's title, description, domains, public, beneficiaries, budget, and the requested
    amount as the State amount, carried on the socle if it plans BPI (else the complement). Both or
    neither."""
    locked = _lock_application(application, user)
    if programming.contract_id != locked.call.contract_id:
        raise TransitionError("Choisissez une programmation du contrat de cet appel à projets.", code="programming")
    if _has_action(locked):
        raise TransitionError("Cette candidature est déjà une action de la programmation.", code="has_action")
    selected = _decide(user, locked, ApplicationStatus.SELECTED)
    operator = selected.operator
    try:
        action = add_action(
            user=user,
            programming=programming,
            domains=list(selected.domains.all()),
            title=selected.title,
            description=selected.description,
            carrier_kind=CarrierKind.ASSOCIATION,
            carrier_name=operator.name,
            siret=operator.siret,
            rna=operator.rna,
            operator=operator,
            public=selected.public,
            planned_bpi=selected.planned_bpi,
            planned_newcomers=selected.planned_newcomers,
            budget=selected.budget,
            state_amount=selected.requested_amount,
            # F11: on the socle when it plans BPI, else on the complement; the collectivité may change it.
            part=ActionPart.BASE if selected.planned_bpi > 0 else ActionPart.COMPLEMENT,
        )
    except TransitionError:
        raise
    except ValidationError as error:
        raise TransitionError(error.messages, code="action") from None
    action.application = selected
    action.save(update_fields=["application"])
    record_event(
        actor=user,
        verb="contracts.call_application_to_action",
        target=selected,
        details={
            "appel": selected.call.title,
            "candidature": selected.title,
            "programmation": programming.campaign.year,
            "montant État": format_euros(action.state_amount),
        },
    )
    return action

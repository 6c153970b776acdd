"""Account requests (issue 13): a collectivité's agent asks for an account from the public pages;
the préfecture of the collectivité's département — its préfet (or the préfet of its région) and its
instructeurs; the préfet de région for a région — is notified, then accepts (an invitation e-mail
with its link, `accounts.services.send_invitation`) or refuses with a reason (a French e-mail).

Nothing tells an anonymous visitor whether an address already has an account: a request for a
pending (address, collectivité) pair is taken once, silently.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, User
from accounts.permissions import holds, memberships
from accounts.services import send_invitation
from audit.services import record_event
from messaging.notifications import SUBJECT_PREFIX, notify
from public.models import AccountRequest, AccountRequestState
from referential.models import Authority

REVIEWED_ALREADY = "Cette demande a déjà été examinée."


def _reviewers_q(authority: Authority) -> Q:
    """The memberships that review the requests of `authority`."""
    if authority.department_id is None:  # a région
        return Q(role=Role.PREFECT, region_id=authority.region_id)
    return Q(role__in=[Role.PREFECT, Role.INSTRUCTOR], department_id=authority.department_id) | Q(
        role=Role.PREFECT, region_id=authority.region_id
    )


def may_review(user: Any, request: AccountRequest) -> bool:
    if holds(user, Role.ADMIN):
        return True
    authority = request.authority
    mine = [*memberships(user, Role.PREFECT), *memberships(user, Role.INSTRUCTOR)]
    if authority.department_id is None:
        return any(m.role == Role.PREFECT and m.region_id == authority.region_id for m in mine)
    return any(
        m.department_id == authority.department_id or (m.role == Role.PREFECT and m.region_id == authority.region_id)
        for m in mine
    )


def requests_for(user: Any) -> QuerySet[AccountRequest]:
    """The requests `user` reviews (none for other roles)."""
    queryset = AccountRequest.objects.select_related("authority", "authority__department", "reviewed_by")
    if holds(user, Role.ADMIN):
        return queryset
    mine = [*memberships(user, Role.PREFECT), *memberships(user, Role.INSTRUCTOR)]
    departments = {m.department_id for m in mine if m.department_id}
    regions = {m.region_id for m in mine if m.role == Role.PREFECT and m.region_id}
    if not departments and not regions:
        return queryset.none()
    return queryset.filter(Q(authority__department_id__in=departments) | Q(authority__region_id__in=regions))


def reviews_any(user: Any) -> bool:
    return holds(user, Role.ADMIN, Role.PREFECT, Role.INSTRUCTOR)


@transaction.atomic
def submit(*, first_name: str, last_name: str, email: str, authority: Authority, function: str) -> AccountRequest:
    email = email.strip().lower()
    pending = AccountRequest.objects.filter(email=email, authority=authority, state=AccountRequestState.PENDING)
    if existing := pending.first():
        return existing
    request = AccountRequest.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        authority=authority,
        function=function.strip(),
    )
    record_event(
        actor=None,
        verb="public.account_requested",
        target=request,
        details={"e-mail": email, "collectivité": authority.name},
    )
    reviewers = User.objects.filter(
        is_active=True, pk__in=Membership.objects.filter(_reviewers_q(authority)).values("user_id")
    )
    notify(
        reviewers,
        key=f"account-request-{request.pk}",
        subject=f"Demande de compte : {request.full_name} ({authority.name})",
        lines=[
            f"{request.full_name}, {request.function} à {authority.name}, demande un compte sur la plateforme "
            f"avec l'adresse {email}."
        ],
        path=reverse("web:account_request_list"),
        expected="Vérifiez que la personne travaille bien pour la collectivité, puis acceptez la demande "
        "(une invitation lui est envoyée) ou refusez-la en donnant le motif.",
    )
    return request


def _locked(request: AccountRequest, actor: Any) -> AccountRequest:
    locked = AccountRequest.objects.select_for_update().select_related("authority").get(pk=request.pk)
    if not may_review(actor, locked):
        raise PermissionDenied
    if locked.state != AccountRequestState.PENDING:
        raise ValidationError(REVIEWED_ALREADY, code="reviewed")
    return locked


@transaction.atomic
def accept(*, actor: User, request: AccountRequest) -> AccountRequest:
    """An invitation as agent of the collectivité, e-mailed with its link (SITE_URL)."""
    locked = _locked(request, actor)
    invitation, _ = send_invitation(
        actor=actor,
        email=locked.email,
        role=Role.AGENT,
        first_name=locked.first_name,
        last_name=locked.last_name,
        authority=locked.authority,
    )
    locked.state = AccountRequestState.ACCEPTED
    locked.invitation = invitation
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["state", "invitation", "reviewed_by", "reviewed_at"])
    record_event(actor=actor, verb="public.account_request_accepted", target=locked, details={"e-mail": locked.email})
    return locked


@transaction.atomic
def refuse(*, actor: User, request: AccountRequest, reason: str) -> AccountRequest:
    """Refused with its reason, told to the person by e-mail."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Donnez le motif du refus : il est envoyé à la personne."})
    locked = _locked(request, actor)
    locked.state = AccountRequestState.REFUSED
    locked.refusal_reason = reason
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["state", "refusal_reason", "reviewed_by", "reviewed_at"])
    record_event(actor=actor, verb="public.account_request_refused", target=locked, details={"e-mail": locked.email})
    subject = f"{SUBJECT_PREFIX}Votre demande de compte"
    body = render_to_string("public/email/account_request_refused.txt", {"request": locked})
    transaction.on_commit(lambda: send_mail(subject, body, None, [locked.email]))
    return locked

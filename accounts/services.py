"""Operations on users, memberships and invitations. Each writes its audit event."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.enums import PREFECT_INVITABLE_ROLES, Role
from accounts.models import Invitation, Membership, User
from accounts.permissions import holds, is_prefect_of
from audit.services import record_event
from referential.models import Authority, Department, Operator, Region


def can_manage_users(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN))


def can_invite(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN, Role.PREFECT))


def check_may_grant(
    actor: User,
    *,
    role: str,
    authority: Authority | None = None,
    department: Department | None = None,
    region: Region | None = None,
    operator: Operator | None = None,
) -> None:
    """Raise PermissionDenied unless `actor` may give this role in this scope.

    An administrator gives any role anywhere. A préfet invites instructeurs of a département and
    agents of a collectivité, within his own territory only.
    """
    if actor.has_role(Role.ADMIN):
        return
    if actor.has_role(Role.PREFECT) and role in PREFECT_INVITABLE_ROLES:
        prefect_of = [m for m in actor.active_memberships if m.role == Role.PREFECT]
        territory = Department.objects.filter(
            Q(pk__in=[m.department_id for m in prefect_of if m.department_id])
            | Q(region_id__in=[m.region_id for m in prefect_of if m.region_id])
        )
        allowed = set(territory.values_list("pk", flat=True))
        if role == Role.INSTRUCTOR and department is not None and department.pk in allowed:
            return
        if role == Role.AGENT and authority is not None:
            spans = set(authority.departments.values_list("pk", flat=True))
            if spans & allowed:
                return
    raise PermissionDenied("Vous ne pouvez pas attribuer ce rôle sur ce périmètre.")


@transaction.atomic
def add_membership(
    *,
    actor: User | None,
    user: User,
    role: str,
    authority: Authority | None = None,
    department: Department | None = None,
    region: Region | None = None,
    operator: Operator | None = None,
) -> Membership:
    if actor is not None:
        check_may_grant(actor, role=role, authority=authority, department=department, region=region, operator=operator)
    membership = Membership(
        user=user, role=role, authority=authority, department=department, region=region, operator=operator
    )
    membership.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise ValidationError(
            "Cette personne a déjà ce rôle sur ce périmètre, ou le périmètre ne convient pas au rôle."
        ) from exc
    record_event(
        actor=actor,
        verb="accounts.membership_added",
        target=user,
        details={"rôle": membership.role_label, "périmètre": membership.scope_label},
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    check_may_grant(actor, role=membership.role, **membership.scope_kwargs())
    details = {"rôle": membership.role_label, "périmètre": membership.scope_label}
    user = membership.user
    membership.delete()
    record_event(actor=actor, verb="accounts.membership_removed", target=user, details=details)


def may_delegate_signature(actor: Any, membership: Membership) -> bool:
    """A préfet delegates his signature to the instructeurs of his département (or of his région's);
    an administrator records it for any instructeur."""
    if membership.role != Role.INSTRUCTOR or membership.department is None:
        return False
    return holds(actor, Role.ADMIN) or is_prefect_of(actor, membership.department)


@transaction.atomic
def set_signing_delegation(*, actor: User, membership: Membership, granted: bool) -> Membership:
    """Give (or take back) the préfet's délégation de signature to an instructeur: he then commits and
    pays the credits delegated to the département (`accounts.permissions.is_authorising_officer`)."""
    locked = (
        Membership.objects.select_for_update(of=("self",)).select_related("department", "user").get(pk=membership.pk)
    )
    if not may_delegate_signature(actor, locked):
        raise PermissionDenied(
            "Seul le préfet du département délègue sa signature, et seulement à un instructeur de ce département."
        )
    if locked.signing_delegation == granted:
        return locked
    locked.signing_delegation = granted
    locked.save(update_fields=["signing_delegation"])
    record_event(
        actor=actor,
        verb="accounts.signing_delegation_granted" if granted else "accounts.signing_delegation_revoked",
        target=locked.user,
        details={"rôle": locked.role_label, "périmètre": locked.scope_label},
    )
    return locked


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool) -> None:
    if not can_manage_users(actor):
        raise PermissionDenied
    if user.pk == actor.pk and not active:
        raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_event(actor=actor, verb="accounts.user_reactivated" if active else "accounts.user_deactivated", target=user)


@transaction.atomic
def invite(
    *,
    actor: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    authority: Authority | None = None,
    department: Department | None = None,
    region: Region | None = None,
    operator: Operator | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link once the transaction commits. Returns the raw token."""
    check_may_grant(actor, role=role, authority=authority, department=department, region=region, operator=operator)
    return send_invitation(
        actor=actor,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        authority=authority,
        department=department,
        region=region,
        operator=operator,
    )


@transaction.atomic
def send_invitation(
    *,
    actor: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    authority: Authority | None = None,
    department: Department | None = None,
    region: Region | None = None,
    operator: Operator | None = None,
) -> tuple[Invitation, str]:
    """`invite` once the caller checked that `actor` may give this role here (an accepted account
    request: `public.account_requests`)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email.strip().lower(),
        first_name=first_name,
        last_name=last_name,
        role=role,
        authority=authority,
        department=department,
        region=region,
        operator=operator,
        token_hash=Invitation.hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
    )
    invitation.full_clean(validate_constraints=False)
    invitation.save()
    record_event(
        actor=actor,
        verb="accounts.invitation_sent",
        target=invitation,
        details={"e-mail": invitation.email, "rôle": invitation.role_label, "périmètre": invitation.scope_label},
    )
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_VALIDITY_DAYS}
    subject = "Invitation à rejoindre Territoires d'intégration"
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("authority", "department", "region", "operator")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    """Create the account (or reuse the one with that e-mail) and give it the invited role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(f"Cette invitation n'est plus valable (elle est {invitation.status}).")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(
            invitation.email,
            password,
            first_name=first_name or invitation.first_name,
            last_name=last_name or invitation.last_name,
        )
        record_event(actor=user, verb="accounts.user_created", target=user, details={"par": "invitation"})
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    scope = invitation.scope_kwargs()
    if not Membership.objects.filter(user=user, role=invitation.role, **scope).exists():
        add_membership(actor=None, user=user, role=invitation.role, **scope)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_event(
        actor=user, verb="accounts.invitation_accepted", target=invitation, details={"e-mail": invitation.email}
    )
    return user


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: Invitation) -> None:
    check_may_grant(actor, role=invitation.role, **invitation.scope_kwargs())
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Cette invitation n'est plus en attente.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        actor=actor, verb="accounts.invitation_revoked", target=invitation, details={"e-mail": invitation.email}
    )

"""Users, their memberships (a role in a scope) and invitations."""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.enums import ROLE_SCOPES, Role, ScopeLevel
from referential.models import Authority, Department, Operator, Region
from referential.scope import TerritorialScope


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address (ProConnect later, same record)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse électronique", unique=True)
    # Kept by `messaging.notifications` (F() updates), so the header shows it without a query.
    unread_notifications = models.PositiveIntegerField("notifications non lues", default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def active_memberships(self) -> list[Membership]:
        return list(
            self.memberships.select_related("authority", "department", "region", "operator").order_by("role", "pk")
        )

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.active_memberships)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @cached_property
    def scope(self) -> TerritorialScope:
        """Everything this user may see, from all their memberships."""
        memberships = self.active_memberships
        return TerritorialScope(
            national=any(m.scope_level == ScopeLevel.NATIONAL for m in memberships),
            region_ids=frozenset(m.region_id for m in memberships if m.region_id),
            department_ids=frozenset(m.department_id for m in memberships if m.department_id),
            authority_ids=frozenset(m.authority_id for m in memberships if m.authority_id),
            operator_ids=frozenset(m.operator_id for m in memberships if m.operator_id),
        )


def _scope_is(level: str) -> Q:
    """The Q that holds when exactly the scope field of `level` is set (none for national)."""
    fields = {
        ScopeLevel.AUTHORITY: "authority",
        ScopeLevel.OPERATOR: "operator",
        ScopeLevel.DEPARTMENT: "department",
        ScopeLevel.REGION: "region",
    }
    q = Q()
    for lvl, name in fields.items():
        q &= Q(**{f"{name}__isnull": lvl != level})
    return q


def _membership_scope_constraint() -> Q:
    allowed = Q()
    for role, levels in ROLE_SCOPES.items():
        role_ok = Q()
        for level in levels:
            role_ok |= _scope_is(level)
        allowed |= Q(role=role) & role_ok
    return allowed


class ScopedFields(models.Model):
    """A role held in one scope: a collectivité, an opérateur, a département, a région or national."""

    role = models.CharField("rôle", max_length=12, choices=Role.choices)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, verbose_name="collectivité"
    )
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, null=True, blank=True, verbose_name="opérateur")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région")

    class Meta:
        abstract = True

    @property
    def scope_level(self) -> str:
        if self.authority_id:
            return ScopeLevel.AUTHORITY
        if self.operator_id:
            return ScopeLevel.OPERATOR
        if self.department_id:
            return ScopeLevel.DEPARTMENT
        if self.region_id:
            return ScopeLevel.REGION
        return ScopeLevel.NATIONAL

    def scope_kwargs(self) -> dict[str, Any]:
        """The scope as keyword arguments, for services and filters: authority=…, operator=…, …"""
        return {
            "authority": self.authority,
            "operator": self.operator,
            "department": self.department,
            "region": self.region,
        }

    @property
    def scope_object(self) -> Authority | Operator | Department | Region | None:
        return self.authority or self.operator or self.department or self.region

    @property
    def scope_label(self) -> str:
        target = self.scope_object
        return str(target) if target is not None else "National"

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def _unique_per_scope() -> list[models.UniqueConstraint]:
    """A user holds a given role at most once in a given scope."""
    constraints = [
        models.UniqueConstraint(
            fields=["user", "role", name], condition=Q(**{f"{name}__isnull": False}), name=f"membership_unique_{name}"
        )
        for name in ("authority", "operator", "department", "region")
    ]
    constraints.append(
        models.UniqueConstraint(
            fields=["user", "role"], condition=_scope_is(ScopeLevel.NATIONAL), name="membership_unique_national"
        )
    )
    return constraints


class Membership(ScopedFields):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    # The préfet's délégation de signature to an agent of the préfecture (an instructeur of the
    # département): commit and pay the credits delegated to the département, as the préfet would.
    signing_delegation = models.BooleanField(
        "délégation de signature du préfet (engager et payer les crédits)", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rôle"
        constraints = [
            models.CheckConstraint(condition=_membership_scope_constraint(), name="membership_scope_fits_role"),
            models.CheckConstraint(
                condition=Q(signing_delegation=False) | Q(role=Role.INSTRUCTOR, department__isnull=False),
                name="membership_signing_delegation_to_an_instructor",
            ),
            *_unique_per_scope(),
        ]

    def __str__(self) -> str:
        return f"{self.role_label} — {self.scope_label}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(ScopedFields):
    """An invitation by e-mail to hold a role; the link (token) lets the person set a password."""

    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150, blank=True, default="")
    last_name = models.CharField("nom", max_length=150, blank=True, default="")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"
        constraints = [
            models.CheckConstraint(condition=_membership_scope_constraint(), name="invitation_scope_fits_role"),
        ]

    def __str__(self) -> str:
        return f"Invitation de {self.email}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "annulée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "en attente"

    @property
    def is_usable(self) -> bool:
        return self.status == "en attente"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal access token of the API (docs/api.md), created and revoked by its user on the page
    « Mes jetons d'accès ». Only its SHA-256 is stored: the clear token is shown once, at creation;
    `key_start` (its first characters) lets its owner recognise it."""

    PREFIX = "ti_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="utilisateur")
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField("début du jeton", max_length=12, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "jeton d'accès à l'API"
        verbose_name_plural = "jetons d'accès à l'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_start}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "révoqué"
        if self.is_expired:
            return "expiré"
        return "actif"

    @property
    def is_usable(self) -> bool:
        return self.status == "actif"

"""A stand-in workflow for the transitions endpoints until the PTAI's exists: (de)activating a
user account. Only the two functions the mixin is given know the rules, as the PTAI's will.

- `deactivate` needs a reason, may carry an amount (to exercise `finance.parse_amount`'s French
  errors), is refused by a "rule" while the account still holds roles (a `ValidationError` carrying
  `findings`, as the programme rules' refusals will), and an administrator may not deactivate
  their own account (`PermissionDenied`);
- `activate` takes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from accounts.enums import Role
from accounts.models import User
from api.transitions import Transition, Transitions, TransitionsMixin
from api.urls import drf_views_only
from config.urls import urlpatterns as site_urlpatterns
from finance.services import parse_amount
from programme.enums import Severity
from programme.rules import Finding


class RulesRefusal(ValidationError):
    """What a domain service raises when the programme rules refuse: messages + findings."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__([ValidationError(f.message, code="rules") for f in findings if f.is_blocking])
        self.findings = findings


def available(account: User, actor: Any) -> list[Transition]:
    if not actor.has_role(Role.ADMIN):
        return []
    if account.is_active:
        return [Transition("deactivate", "Désactiver le compte", "inactive", "Inactif", ("reason", "amount"))]
    return [Transition("activate", "Réactiver le compte")]


def apply(account: User, name: str, actor: Any, data: dict[str, Any]) -> User:
    if name == "activate":
        account.is_active = True
        account.save(update_fields=["is_active"])
        return account
    if account.pk == actor.pk:
        raise PermissionDenied("Vous ne pouvez pas désactiver votre propre compte.")
    if data.get("boom"):
        raise RuntimeError("a bug")
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError("Indiquez le motif de la désactivation.", code="required")})
    if "amount" in data:
        parse_amount(data["amount"])
    # Written before the rules refuse: the request's rollback must undo it.
    account.is_active = False
    account.save(update_fields=["is_active"])
    findings = [Finding("account_has_no_phone", Severity.WARNING, "Aucun numéro de téléphone.", "phone")]
    if account.memberships.exists():
        findings.append(
            Finding("account_holds_roles", Severity.BLOCKING, "Retirez d'abord les rôles de ce compte.", "roles")
        )
        raise RulesRefusal(findings)
    return account


class AccountSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "is_active"]


class AccountViewSet(TransitionsMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    serializer_class = AccountSerializer
    transitions = Transitions(available=available, apply=apply, names=frozenset({"activate", "deactivate"}))

    queryset = User.objects.none()  # the schema reads the model from it

    def get_queryset(self) -> QuerySet[User]:
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return self.queryset
        if user.has_role(Role.ADMIN):  # type: ignore[union-attr]
            return User.objects.order_by("pk")
        return User.objects.filter(pk=user.pk)


router = SimpleRouter()
router.register("test-accounts", AccountViewSet, basename="test-account")

urlpatterns = [path("api/v1/", include(drf_views_only(router.urls))), *site_urlpatterns]

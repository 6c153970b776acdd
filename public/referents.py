"""The local referents (F08) are kept by the préfecture's agents of their département: its préfet
(or the préfet of its région) and its instructeurs; an administrator keeps every département's.
Every change writes its audit event; the public « Vos contacts locaux » page reads them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.enums import Role
from accounts.permissions import holds, is_instructor_of, is_prefect_of, memberships
from audit.services import record_event
from public.models import Referent
from referential.models import Department


def managed_departments(user: Any) -> QuerySet[Department]:
    """The départements whose referents `user` keeps (none for other roles)."""
    if holds(user, Role.ADMIN):
        return Department.objects.order_by("code")
    prefects = memberships(user, Role.PREFECT)
    instructors = memberships(user, Role.INSTRUCTOR)
    department_ids = {m.department_id for m in [*prefects, *instructors] if m.department_id}
    region_ids = {m.region_id for m in prefects if m.region_id}
    if not department_ids and not region_ids:
        return Department.objects.none()
    return Department.objects.filter(Q(pk__in=department_ids) | Q(region_id__in=region_ids)).order_by("code")


def may_manage(user: Any, department: Department) -> bool:
    return holds(user, Role.ADMIN) or is_prefect_of(user, department) or is_instructor_of(user, department)


def _details(referent: Referent) -> dict[str, str]:
    return {"département": referent.department.code, "service": referent.service, "rôle": referent.role}


@transaction.atomic
def save_referent(*, actor: Any, referent: Referent, previous_department: Department | None = None) -> Referent:
    """Create or update `referent` (already validated): its département, and the one it leaves, must
    both be the actor's."""
    if not may_manage(actor, referent.department) or (
        previous_department is not None and not may_manage(actor, previous_department)
    ):
        raise PermissionDenied
    created = referent.pk is None
    referent.save()
    record_event(
        actor=actor,
        verb="public.referent_created" if created else "public.referent_updated",
        target=referent,
        details=_details(referent),
    )
    return referent


@transaction.atomic
def delete_referent(*, actor: Any, referent: Referent) -> None:
    if not may_manage(actor, referent.department):
        raise PermissionDenied
    record_event(actor=actor, verb="public.referent_deleted", target=referent, details=_details(referent))
    referent.delete()

"""Who holds which role where: the plain checks every domain's permissions build on.

Each function reads the user's memberships of ONE role (`User.active_memberships` is cached: no
query). A user who is agent of a commune and instructeur of Isère acts as instructeur in Isère only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.enums import Role

if TYPE_CHECKING:
    from accounts.models import Membership
    from referential.models import Department


def memberships(user: Any, role: str) -> list[Membership]:
    """The active user's memberships of `role` (none for an anonymous or deactivated user)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return [m for m in getattr(user, "active_memberships", ()) if m.role == role]


def holds(user: Any, *roles: str) -> bool:
    """Whether the user holds one of `roles` anywhere (national roles: Ministère, Diair, administrateur)."""
    return any(memberships(user, role) for role in roles)


def is_prefect_of(user: Any, department: Department) -> bool:
    """A préfet of `department`, or the préfet of its région."""
    return any(
        m.department_id == department.pk or (m.region_id is not None and m.region_id == department.region_id)
        for m in memberships(user, Role.PREFECT)
    )


def is_instructor_of(user: Any, department: Department) -> bool:
    return any(m.department_id == department.pk for m in memberships(user, Role.INSTRUCTOR))


def has_signing_delegation(user: Any, department: Department) -> bool:
    """An instructeur of `department` to whom the préfet delegated his signature."""
    return any(m.department_id == department.pk and m.signing_delegation for m in memberships(user, Role.INSTRUCTOR))


def is_authorising_officer(user: Any, department: Department) -> bool:
    """The local authorising officer (ordonnateur) of `department`: its préfet (or the préfet of its
    région), or an agent of the préfecture with the préfet's délégation de signature. Commits and
    pays the credits delegated to the département (PTAI, CTAI programmings)."""
    return is_prefect_of(user, department) or has_signing_delegation(user, department)

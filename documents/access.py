"""Who is a State agent: the only people who see internal documents and internal notes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.enums import Role
from accounts.models import User

# Roles held by State services (préfecture, Diair, Ministère, administrateurs of the platform).
STATE_ROLES: frozenset[str] = frozenset({Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN})


def is_state_agent(user: User | AnonymousUser | None) -> bool:
    """True for an active user holding at least one State role."""
    return isinstance(user, User) and user.is_active and user.has_role(*STATE_ROLES)

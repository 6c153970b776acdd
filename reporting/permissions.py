"""Who may enter a report and who may review it (plain role-and-scope checks, no query)."""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from accounts.permissions import is_instructor_of, is_prefect_of, memberships


def may_enter(report: Any, user: Any) -> bool:
    """An agent of the collectivité; the opérateur carrying the action once the collectivité invited it."""
    if any(m.authority_id == report.authority_id for m in memberships(user, Role.AGENT)):
        return True
    return bool(
        report.operator_invited
        and report.operator_id is not None
        and any(m.operator_id == report.operator_id for m in memberships(user, Role.OPERATOR))
    )


def may_invite_operator(report: Any, user: Any) -> bool:
    """The collectivité's agents invite the opérateur carrying the action to enter its report."""
    return report.operator_id is not None and any(
        m.authority_id == report.authority_id for m in memberships(user, Role.AGENT)
    )


def may_review(report: Any, user: Any) -> bool:
    """The State agents of the département (instructeur, préfet or préfet de région) accept a report
    or ask for completion."""
    department = report.department
    return is_instructor_of(user, department) or is_prefect_of(user, department)

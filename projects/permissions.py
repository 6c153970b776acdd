"""Who may act on a PTAI: one function per actor, `(project, user) -> bool`, by role AND scope.

These are the `permission=` of the workflow's transitions (django-fsm-2), so the buttons of the
pages, the API's list of transitions and the guard of `services.apply_transition` are one code.
Each function reads the user's memberships of ONE role (a user who is agent of a commune and
instructeur of Isère acts as instructeur only in Isère); `User.active_memberships` is cached, so a
check costs no query beyond the project's partners (prefetched on the detail page).

- applicant: an agent of the lead collectivité or of a partner collectivité (F45);
- instructor: an instructeur of the project's instructing département;
- prefect: a préfet of that département, or the préfet of its région;
- ministry: the Ministère (national): validates, delegates the credits to the département;
- authorising officer: the préfet of the département (or of its région), or the agent of the
  préfecture holding his délégation de signature: commits the delegated credits, pays, settles.
Diair, administrateurs and opérateurs act on no PTAI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.enums import Role
from accounts.permissions import is_authorising_officer
from accounts.permissions import memberships as _memberships

if TYPE_CHECKING:
    from projects.models import Project


def partner_ids(project: Project) -> set[int]:
    """The partner collectivités' ids (from the prefetch cache when there is one)."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "partners" in cache:
        return {p.pk for p in cache["partners"]}
    if project.pk is None:
        return set()
    return set(project.partners.values_list("pk", flat=True))


def is_applicant(project: Project, user: Any) -> bool:
    held = {m.authority_id for m in _memberships(user, Role.AGENT)}
    if not held:
        return False
    return project.lead_authority_id in held or bool(held & partner_ids(project))


def is_instructor(project: Project, user: Any) -> bool:
    return any(m.department_id == project.department_id for m in _memberships(user, Role.INSTRUCTOR))


def is_prefect(project: Project, user: Any) -> bool:
    memberships = _memberships(user, Role.PREFECT)
    if not memberships:
        return False
    region_id = project.department.region_id
    return any(m.department_id == project.department_id or m.region_id == region_id for m in memberships)


def is_ministry(project: Project, user: Any) -> bool:
    return bool(_memberships(user, Role.MINISTRY))


# --- The permission of each transition --------------------------------------------------------


def may_submit(project: Any, user: Any) -> bool:
    return is_applicant(project, user)


def may_withdraw(project: Any, user: Any) -> bool:
    return is_applicant(project, user)


def may_review(project: Any, user: Any) -> bool:
    """start_review, request_correction, give_opinion."""
    return is_instructor(project, user)


def may_decide_as_prefect(project: Any, user: Any) -> bool:
    """The préfet's decision comes from another person than the instructeur's avis."""
    return is_prefect(project, user) and user.pk != project.opinion_by_id


def may_decide_as_ministry(project: Any, user: Any) -> bool:
    """ministry_approve, ministry_refuse, ministry_send_back, delegate_credits, cancel_delegation."""
    return is_ministry(project, user)


def may_commit(project: Any, user: Any) -> bool:
    """commit, cancel_commitment, close: the local authorising officer of the instructing département
    (its préfet, the préfet of its région, or the agent with the préfet's délégation de signature)."""
    return is_authorising_officer(user, project.department)


def may_dismiss(project: Any, user: Any) -> bool:
    return is_instructor(project, user) or is_prefect(project, user)


def may_edit(project: Any, user: Any) -> bool:
    """Edit the request (draft or correction): the applicant only."""
    return is_applicant(project, user)

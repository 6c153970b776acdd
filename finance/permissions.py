"""Who may move money: the checks `finance.services` makes on its `actor`, and the pages and the API
ask before they offer a button. The pages only ask; the services refuse (PermissionDenied).

- open credits on a campaign's national envelopes: the Ministère (responsible of programme 104),
  or an administrator;
- delegate from a national envelope: the same; from a région's: the same, or the préfet of that
  région (préfet de région, responsible of the regional budget);
- commit and pay on a département's envelope: its local authorising officer — the préfet of the
  département (or of its région), or an agent of the préfecture holding the préfet's délégation de
  signature (`accounts.permissions.is_authorising_officer`);
- reverse an entry: who could have passed it; a commitment, a payment, a release or a delegation
  made for a file belongs to the file and is cancelled only through the file's workflow
  (`services.cancel_commitment`, `services.cancel_file_delegation`).
"""

from __future__ import annotations

from typing import Any

from accounts.enums import Role
from accounts.permissions import holds, is_authorising_officer, memberships
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Commitment, Envelope, LedgerEntry


def may_open_credits(user: Any) -> bool:
    return holds(user, Role.MINISTRY, Role.ADMIN)


def is_regional_prefect(user: Any, region_id: int | None) -> bool:
    return region_id is not None and any(m.region_id == region_id for m in memberships(user, Role.PREFECT))


def may_delegate_from(user: Any, envelope: Envelope) -> bool:
    """The Ministère and administrators from a national or régional envelope; a préfet de région
    from his région's. A département's credits are not delegated further."""
    if envelope.level == EnvelopeLevel.NATIONAL:
        return may_open_credits(user)
    if envelope.level == EnvelopeLevel.REGION:
        return may_open_credits(user) or is_regional_prefect(user, envelope.region_id)
    return False


def may_commit_on(user: Any, envelope: Envelope) -> bool:
    """Commit (and pay, release) on a département's envelope: its authorising officer."""
    department = envelope.department
    return (
        envelope.level == EnvelopeLevel.DEPARTMENT
        and department is not None
        and (is_authorising_officer(user, department))
    )


def may_pay(user: Any, commitment: Commitment) -> bool:
    return may_commit_on(user, commitment.envelope)


def may_reverse(user: Any, entry: LedgerEntry) -> bool:
    """Who passed a movement may cancel it (never a reversal itself). Commitments, payments and
    releases, and the delegations made for a file, belong to the file: they are cancelled through its
    workflow, not from the ledger."""
    if entry.reverses_id is not None or entry.funded_type_id is not None:
        return False
    if entry.kind == EntryKind.ALLOCATION:
        return may_open_credits(user)
    if entry.kind == EntryKind.DELEGATION_OUT:
        return may_delegate_from(user, entry.envelope)
    if entry.kind == EntryKind.DELEGATION_IN:
        parent = entry.envelope.parent
        return parent is not None and may_delegate_from(user, parent)
    return False

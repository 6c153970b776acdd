"""The upload page's two steps: preview a spreadsheet of contracts (nothing written), then apply it.

Administrators and the Diair only (`may_import`). The preview and the application run the same
`imports.contracts.import_contracts` on the same stored bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from imports.contracts import import_contracts
from imports.models import ContractImport
from imports.rows import ImportOutcome
from programme.errors import TransitionError

MAX_BYTES = 5 * 1024 * 1024


def may_import(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.ADMIN, Role.DIAIR)


def _stored(outcome: ImportOutcome) -> dict[str, Any]:
    return {**outcome.report(), "names": [r.name for r in outcome.rows], "summary": outcome.summary()}


@transaction.atomic
def preview_upload(*, user: Any, file_name: str, content: bytes, partial: bool) -> ContractImport:
    """Keep the file and what importing it would do. Raises `imports.reading.FileError`."""
    if not may_import(user):
        raise PermissionDenied("Seuls les administrateurs et la Diair importent des contrats.")
    outcome = import_contracts(content=content, file_name=file_name, user=user, dry_run=True, partial=partial)
    return ContractImport.objects.create(
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        partial=partial,
        uploaded_by=user,
        preview=_stored(outcome),
    )


@transaction.atomic
def apply_upload(*, user: Any, upload: ContractImport) -> ContractImport:
    """Import the previewed file for real (once: a second click changes nothing)."""
    if not may_import(user):
        raise PermissionDenied("Seuls les administrateurs et la Diair importent des contrats.")
    locked = ContractImport.objects.select_for_update().get(pk=upload.pk)
    if locked.applied_at is not None:
        raise TransitionError("Ce fichier a déjà été importé.", code="state_changed")
    if not locked.can_apply:
        raise TransitionError("L'aperçu ne permet pas cet import : corrigez le fichier.", code="not_allowed")
    outcome = import_contracts(
        content=bytes(locked.content), file_name=locked.file_name, user=user, partial=locked.partial
    )
    locked.result = _stored(outcome)
    if outcome.written:
        locked.applied_at, locked.applied_by = timezone.now(), user
    locked.save(update_fields=["result", "applied_at", "applied_by"])
    return locked

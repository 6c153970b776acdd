from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import Event


def record_event(*, actor: Any, verb: str, target: models.Model | None, details: dict[str, Any] | None = None) -> Event:
    """Write one audit row. Call it inside the transaction of the change it describes."""
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
    )

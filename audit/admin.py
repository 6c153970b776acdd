from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.http import HttpRequest

from audit.models import Event
from audit.services import record_event


class AuditedModelAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Django admin that also writes the audit trail, so that no change escapes the timeline."""

    def log_addition(self, request: HttpRequest, obj: M, message: Any) -> LogEntry:
        record_event(actor=request.user, verb="admin.added", target=obj, details={"via": "administration Django"})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: M, message: Any) -> LogEntry:
        record_event(
            actor=request.user,
            verb="admin.changed",
            target=obj,
            details={"via": "administration Django", "changement": str(message)},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: models.QuerySet[M]) -> Any:
        for obj in queryset:
            record_event(actor=request.user, verb="admin.deleted", target=obj, details={"objet": str(obj)})
        return super().log_deletions(request, queryset)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["created_at", "actor", "verb", "target_type", "target_id"]
    list_filter = ["verb"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False

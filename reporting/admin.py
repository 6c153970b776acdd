from django.contrib import admin

from audit.admin import AuditedModelAdmin
from reporting.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin[Indicator]):
    """A campaign's indicator set, edited like the domains (reports keep the set they were made with)."""

    list_display = ["campaign", "position", "code", "label", "group", "is_active"]
    list_filter = ["campaign", "is_active"]
    ordering = ["campaign", "position"]

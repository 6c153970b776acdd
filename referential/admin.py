from django.contrib import admin

from audit.admin import AuditedModelAdmin
from referential.models import Authority, Department, Operator, Prefecture, ReferentialImport, Region


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin[Region]):
    list_display = ["code", "name", "zone"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin[Department]):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(Authority)
class AuthorityAdmin(AuditedModelAdmin[Authority]):
    list_display = ["name", "kind", "epci_nature", "insee_code", "siren", "population", "department"]
    list_filter = ["kind", "epci_nature"]
    search_fields = ["search_name", "insee_code", "siren"]
    raw_id_fields = ["department", "region", "epci", "ept"]


@admin.register(Operator)
class OperatorAdmin(AuditedModelAdmin[Operator]):
    list_display = ["name", "siret", "rna"]
    search_fields = ["name", "siret", "rna"]


@admin.register(ReferentialImport)
class ReferentialImportAdmin(AuditedModelAdmin[ReferentialImport]):
    list_display = ["imported_at", "vintage", "source", "duration_seconds"]


@admin.register(Prefecture)
class PrefectureAdmin(AuditedModelAdmin[Prefecture]):
    """The préfecture's official name, address and SIRET: its letters and the open-data files."""

    list_display = ["department", "name", "siret", "city"]
    search_fields = ["name", "siret", "department__code"]

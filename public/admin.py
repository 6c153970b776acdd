from django.contrib import admin

from public.models import BeneficiaryIdentity, Referent


@admin.register(BeneficiaryIdentity)
class BeneficiaryIdentityAdmin(admin.ModelAdmin[BeneficiaryIdentity]):
    list_display = ["authority", "siret"]
    search_fields = ["authority__name", "siret"]
    raw_id_fields = ["authority"]


@admin.register(Referent)
class ReferentAdmin(admin.ModelAdmin[Referent]):
    list_display = ["department", "service", "role", "email", "phone"]
    list_filter = ["department"]

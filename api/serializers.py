"""Representations. Read-only: every write goes through a domain service, never `serializer.save()`.

Codes, not database ids, name the territories (INSEE codes, SIREN): they are stable across
imports of the referential and readable by a person.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, User
from api.fields import BlankChoicesAsNull
from finance.balances import Balance
from finance.models import Envelope
from programme.models import Campaign
from referential.models import Authority, Department


class ScopeSerializer(serializers.Serializer[Membership]):
    """Where a role is held: `level` and, below the national level, the territory's code and name."""

    level = serializers.CharField(source="scope_level")
    code = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    label = serializers.CharField(source="scope_label")  # type: ignore[assignment]  # Field.label: a field named "label"

    def get_code(self, membership: Membership) -> str | None:
        if membership.authority is not None:
            return membership.authority.code
        if membership.operator is not None:
            return membership.operator.siret
        if membership.department is not None:
            return membership.department.code
        if membership.region is not None:
            return membership.region.code
        return None

    def get_name(self, membership: Membership) -> str | None:
        target = membership.scope_object
        return target.name if target is not None else None


class RoleSerializer(serializers.Serializer[Membership]):
    role = serializers.CharField()
    label = serializers.CharField(source="role_label")  # type: ignore[assignment]  # a field named "label"
    scope = ScopeSerializer(source="*")


class MeSerializer(serializers.Serializer[User]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField(source="__str__")
    roles = RoleSerializer(source="active_memberships", many=True)


class AuthoritySerializer(BlankChoicesAsNull, serializers.ModelSerializer[Authority]):
    code = serializers.CharField(help_text="Code INSEE (commune, département, région), sinon SIREN (EPCI).")
    departement = serializers.SerializerMethodField(help_text="Code INSEE du département principal.")

    class Meta:
        model = Authority
        fields = ["id", "code", "name", "kind", "epci_nature", "departement", "population"]

    def get_departement(self, authority: Authority) -> str | None:
        return authority.department.code if authority.department is not None else None


class DepartmentSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Department]):
    region = serializers.CharField(source="region.code", help_text="Code INSEE de la région.")
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = Department
        fields = ["id", "code", "name", "region", "region_name"]


class CampaignSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Campaign]):
    rules = serializers.SerializerMethodField(help_text="Les paramètres de l'année (`Campaign.rules()`).")

    class Meta:
        model = Campaign
        fields = ["year", "rules"]

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_rules(self, campaign: Campaign) -> dict[str, Any]:
        return campaign.rules()


class BalanceSerializer(serializers.Serializer[Balance]):
    """Amounts in euros as decimal strings ("150000.00")."""

    received = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Crédits ouverts ou reçus.")
    delegated = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Délégués aux niveaux inférieurs.")
    committed = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Engagés (net de ce qui a été libéré)."
    )
    paid = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Payés.")
    released = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Libérés : engagés puis non consommés (dossiers soldés)."
    )
    available = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Reste à engager.")
    to_pay = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Reste à payer.")


class EnvelopeSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Envelope]):
    """An envelope with its balance; the view gives the balances of the whole page in `context`."""

    year = serializers.IntegerField(source="campaign.year")
    line = serializers.CharField(source="budget_line.code", help_text="Ligne budgétaire (104-15, 104-12).")
    region = serializers.SerializerMethodField(help_text="Code INSEE de la région (enveloppe régionale).")
    departement = serializers.SerializerMethodField(help_text="Code INSEE du département (enveloppe départementale).")
    scope_label = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]  # Field.parent
    balance = serializers.SerializerMethodField()

    class Meta:
        model = Envelope
        fields = ["id", "year", "line", "level", "region", "departement", "scope_label", "parent", "balance"]

    def get_region(self, envelope: Envelope) -> str | None:
        return envelope.region.code if envelope.region is not None else None

    def get_departement(self, envelope: Envelope) -> str | None:
        return envelope.department.code if envelope.department is not None else None

    @extend_schema_field(BalanceSerializer)
    def get_balance(self, envelope: Envelope) -> dict[str, Any]:
        balances: dict[int, Balance] = self.context["balances"]
        return dict(BalanceSerializer(balances[envelope.pk]).data)


class EnvelopeFilterSerializer(serializers.Serializer[dict[str, Any]]):
    """Query parameters of the envelope list."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Année de campagne.")
    line = serializers.CharField(required=False, max_length=10, help_text="Ligne budgétaire : 104-15 ou 104-12.")


class AuthorityQuerySerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Nom (sans accents ni majuscules requis), code INSEE, SIREN ou code postal.",
    )

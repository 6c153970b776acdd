"""PTAI representations (read) and the bodies of their writes (checked here, written by
`projects.services`: never `serializer.save()`).

Territories and domains are named by their codes: a collectivité by its INSEE code (commune,
département, région) or its SIREN (EPCI), a département by its INSEE code, a domain by its slug.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import BlankChoicesAsNull, MoneyField
from programme.enums import ContributionKind, TargetPublic
from programme.models import Domain
from projects.enums import CarrierKind, ProjectState, ResourceKind
from projects.models import Project
from projects.subject import findings
from referential.models import Authority, Department

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def _money(**extra: Any) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **extra)


# --- Read ---------------------------------------------------------------------------------------


class AuthorityRefSerializer(serializers.Serializer[Authority]):
    code = serializers.CharField(help_text="Code INSEE (commune, département, région), sinon SIREN (EPCI).")
    name = serializers.CharField()


class ExpenseSerializer(serializers.Serializer[Any]):
    nature = serializers.CharField(max_length=200, help_text="Nature de la dépense.")
    amount = MoneyField(help_text="Montant en euros.")


class ResourceSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ResourceKind.choices, help_text="state_request : le montant demandé.")
    funder = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = MoneyField()


class BudgetSerializer(serializers.Serializer[Any]):
    expenses = ExpenseSerializer(many=True, help_text="Les dépenses (remplacent les précédentes).")
    resources = ResourceSerializer(
        many=True, help_text="Les ressources ; le total des `state_request` est le montant demandé."
    )


class ContributionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    description = serializers.CharField()
    amount = MoneyField(required=False, allow_null=True, default=None)


class FindingSerializer(serializers.Serializer[Any]):
    rule_id = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_blank=True)


class PtaiSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Project]):
    """A PTAI in a list. `committed_amount` / `paid_amount` come from `with_money()`."""

    state_label = serializers.CharField(source="get_state_display")
    year = serializers.IntegerField(source="campaign.year")
    authority = AuthorityRefSerializer(source="lead_authority")
    partners = AuthorityRefSerializer(many=True)
    departement = serializers.CharField(source="department.code", help_text="Code INSEE du département instructeur.")
    domains = serializers.SlugRelatedField[Domain](slug_field="code", many=True, read_only=True)
    requested_amount = _money()
    proposed_amount = _money(allow_null=True)
    granted_amount = _money(allow_null=True)
    committed_amount = _money(help_text="Engagé (grand livre).")
    paid_amount = _money(help_text="Versé (grand livre).")
    historical = serializers.BooleanField(
        help_text="Dossier repris d'un tableau : montant historique, hors registre des écritures (ni avis, ni "
        "décision, ni engagement sur la plateforme)."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "reference",
            "state",
            "state_label",
            "year",
            "title",
            "summary",
            "authority",
            "partners",
            "departement",
            "domains",
            "target_public",
            "bpi_justification",
            "widening_perspective",
            "planned_bpi",
            "planned_newcomers",
            "cir_link",
            "start_date",
            "end_date",
            "carrier_kind",
            "carrier_name",
            "siret",
            "rna",
            "diagnostic",
            "opinion",
            "opinion_text",
            "requested_amount",
            "proposed_amount",
            "granted_amount",
            "committed_amount",
            "paid_amount",
            "historical",
            "submitted_at",
            "state_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PtaiDetailSerializer(PtaiSerializer):
    """A PTAI with its budget, its collectivité's engagement and what is missing (`findings`)."""

    budget = serializers.SerializerMethodField()
    contributions = ContributionSerializer(many=True, read_only=True)
    findings = serializers.SerializerMethodField(help_text="Règles du programme et complétude : ce qu'il manque.")

    class Meta(PtaiSerializer.Meta):
        fields = [*PtaiSerializer.Meta.fields, "budget", "contributions", "findings"]
        read_only_fields = fields

    @extend_schema_field(BudgetSerializer)
    def get_budget(self, project: Project) -> dict[str, Any]:
        return dict(
            BudgetSerializer(
                {"expenses": list(project.budget_items.all()), "resources": list(project.resources.all())}
            ).data
        )

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, project: Project) -> list[dict[str, Any]]:
        return [
            {"rule_id": f.rule_id, "severity": str(f.severity), "message": f.message, "field": f.field or ""}
            for f in findings(project)
        ]


class TransitionFormSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="Le motif (`reason`) : required, optional ou none.")
    reason_label = serializers.CharField()
    opinion = serializers.BooleanField(help_text="L'avis (`opinion` : favorable, unfavorable) est demandé.")
    amount = serializers.CharField(help_text="Le montant (`amount`) : required, optional ou none.")
    amount_label = serializers.CharField(allow_blank=True)


class PtaiTransitionSerializer(serializers.Serializer[Any]):
    """An available transition of a PTAI, with what its body needs (`form`)."""

    name = serializers.CharField(help_text="Nom de la transition, à mettre dans l'adresse du POST.")
    label = serializers.CharField(help_text="Libellé (bouton de l'interface).")  # type: ignore[assignment]
    target = serializers.CharField(help_text="L'état d'arrivée (code).")
    target_label = serializers.CharField()
    fields = serializers.ListField(  # type: ignore[assignment]  # Serializer.fields: a field named "fields"
        child=serializers.CharField(), help_text="Champs attendus dans le corps du POST."
    )
    form = TransitionFormSerializer()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        form = instance.form
        fields = [
            name
            for name, wanted in (
                ("reason", form.reason != "none"),
                ("opinion", form.opinion),
                ("amount", form.amount != "none"),
            )
            if wanted
        ]
        return {
            "name": str(instance.name),
            "label": str(instance.label),
            "target": str(instance.target),
            "target_label": str(instance.target_label),
            "fields": fields,
            "form": {
                "reason": form.reason,
                "reason_label": form.reason_label,
                "opinion": form.opinion,
                "amount": form.amount,
                "amount_label": form.amount_label,
            },
        }


# --- Write --------------------------------------------------------------------------------------


def authority_by_code(code: str) -> Authority:
    matches = list(Authority.objects.filter(Q(insee_code=code) | Q(siren=code)).order_by("pk")[:2])
    if not matches:
        raise serializers.ValidationError(f"Aucune collectivité n'a le code « {code} ».", code="unknown_authority")
    if len(matches) > 1:
        insee = [a for a in matches if a.insee_code == code]
        if len(insee) == 1:
            return insee[0]
        raise serializers.ValidationError(f"Plusieurs collectivités ont le code « {code} ».", code="ambiguous")
    return matches[0]


class PtaiWriteSerializer(serializers.Serializer[Any]):
    """The fields an applicant edits (draft or correction requested). All optional in a PATCH."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    target_public = serializers.ChoiceField(choices=TargetPublic.choices, required=False)
    bpi_justification = serializers.CharField(required=False, allow_blank=True)
    widening_perspective = serializers.CharField(required=False, allow_blank=True)
    planned_bpi = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    planned_newcomers = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    cir_link = serializers.CharField(
        required=False, allow_blank=True, help_text="Articulation avec le contrat d'intégration républicaine (CIR)."
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    carrier_kind = serializers.ChoiceField(choices=CarrierKind.choices, required=False)
    carrier_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    siret = serializers.CharField(max_length=20, required=False, allow_blank=True)
    rna = serializers.CharField(max_length=10, required=False, allow_blank=True)
    diagnostic = serializers.CharField(required=False, allow_blank=True)
    departement = serializers.CharField(
        required=False, help_text="Code INSEE du département instructeur (parmi ceux de la collectivité)."
    )
    domains = serializers.ListField(child=serializers.SlugField(), required=False, help_text="Codes des domaines.")
    partners = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Codes INSEE ou SIREN des collectivités partenaires."
    )
    budget = BudgetSerializer(required=False, help_text="Le budget entier (remplace le précédent).")
    contributions = ContributionSerializer(
        many=True, required=False, help_text="L'engagement de la collectivité (remplace le précédent)."
    )

    def validate_departement(self, code: str) -> Department:
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise serializers.ValidationError(f"Aucun département n'a le code « {code} ».", code="unknown_department")
        return department

    def validate_domains(self, codes: list[str]) -> list[Domain]:
        domains = list(Domain.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {d.code for d in domains})
        if unknown:
            raise serializers.ValidationError(f"Domaines inconnus : {', '.join(unknown)}.", code="unknown_domain")
        return domains

    def validate_partners(self, codes: list[str]) -> list[Authority]:
        return [authority_by_code(code) for code in codes]

    def service_arguments(self) -> dict[str, Any]:
        """The keywords of `create_draft` / `update_draft` (without budget and contributions)."""
        data = dict(self.validated_data)
        data.pop("budget", None)
        data.pop("contributions", None)
        data.pop("authority", None)
        data.pop("year", None)
        if "departement" in data:
            data["department"] = data.pop("departement")
        return data


class PtaiCreateSerializer(PtaiWriteSerializer):
    authority = serializers.CharField(
        help_text="La collectivité porteuse : code INSEE ou SIREN. L'appelant doit en être agent."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Année de la campagne.")

    def validate_authority(self, code: str) -> Authority:
        return authority_by_code(code)


class PtaiFilterSerializer(serializers.Serializer[Any]):
    """The list's filters (those of the PTAI list page)."""

    state = serializers.ChoiceField(choices=ProjectState.choices, required=False, help_text="Code de l'état.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Année de campagne.")
    departement = serializers.CharField(required=False, max_length=3, help_text="Code INSEE du département.")
    domain = serializers.SlugField(required=False, max_length=40, help_text="Code d'un domaine.")
    min_amount = MoneyField(required=False, help_text="Montant demandé minimum (€).")
    max_amount = MoneyField(required=False, help_text="Montant demandé maximum (€).")

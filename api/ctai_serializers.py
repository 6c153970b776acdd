"""CTAI representations (contracts, yearly programmings and their actions, calls for projects) and
the bodies of their writes (checked here, written by `contracts.services` and
`contracts.programming`: never `serializer.save()`).

As for the PTAI (`api.ptai_serializers`): a collectivité is `{"code", "name"}` (INSEE code, else
SIREN), a département its INSEE code, a domain its slug, amounts decimal strings with two decimals.
State and kind codes are plain strings (their values are listed in the help texts and in
docs/api.md), so that their enums do not collide with the PTAI's in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import BlankChoicesAsNull, MoneyField
from api.ptai_serializers import AuthorityRefSerializer, FindingSerializer, authority_by_code
from contracts.checks import part_sums
from contracts.enums import (
    ActionPart,
    ActionReview,
    AmendmentObject,
    CarrierKind,
    ContractKind,
    ContractState,
    CoordinatorStatus,
    ProgrammingState,
)
from contracts.models import Action, ActionPublic, Call, Contract, Diagnosis, Programming
from contracts.programming import money_lines
from programme.models import Domain, Priority
from referential.models import Authority

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def _money(**extra: Any) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **extra)


def _codes(choices: Any) -> str:
    return ", ".join(str(value) for value in choices.values)


def finding_rows(findings: list[Any]) -> list[dict[str, Any]]:
    return [
        {"rule_id": f.rule_id, "severity": str(f.severity), "message": f.message, "field": f.field or ""}
        for f in findings
    ]


# --- Contracts (read) ----------------------------------------------------------------------------


class ProgrammingSummarySerializer(serializers.Serializer[Programming]):
    """A year of a contract, as the contract shows it."""

    id = serializers.IntegerField()
    year = serializers.IntegerField(source="campaign.year", help_text="Année de la programmation (campagne).")
    state = serializers.CharField(help_text=f"Code de l'état : {_codes(ProgrammingState)}.")
    state_label = serializers.CharField(source="get_state_display")
    base_amount = _money(help_text="Socle demandé (€, ligne 104-15).")
    complement_amount = _money(help_text="Crédits complémentaires demandés (€, ligne 104-12).")
    total = _money(source="total_amount", help_text="Socle + crédits complémentaires (€).")


class CoordinatorSerializer(serializers.Serializer[Contract]):
    """F20: the dedicated coordinator the collectivité MAY name or recruit (none is needed to sign)."""

    status = serializers.CharField(
        source="coordinator_status", help_text=f"named, recruiting ou none ({_codes(CoordinatorStatus)})."
    )
    name = serializers.CharField(source="coordinator_name", help_text="Nom du coordinateur (vide s'il est recruté).")
    role = serializers.CharField(source="coordinator_role")
    contact = serializers.CharField(source="coordinator_contact")
    recruiting = serializers.BooleanField(source="coordinator_recruiting", help_text="En cours de recrutement.")


class WideningSerializer(serializers.Serializer[Contract]):
    """F16: the collectivité's declaration to the préfet of its intention to widen its CTAIR."""

    declared_on = serializers.DateField(source="widening_declared_on", help_text="Date de la déclaration.")
    declared_by = serializers.EmailField(
        source="widening_declared_by.email", allow_null=True, help_text="Qui l'a enregistrée (agent ou préfet)."
    )
    declaration = serializers.CharField(source="widening_declaration", help_text="Le texte de la déclaration.")
    in_negotiation = serializers.BooleanField(
        source="widened_in_negotiation",
        help_text="Vrai : ce contrat était un CTAIR en négociation, poursuivi en CTAI ; faux : il est signé à la "
        "place du CTAIR en vigueur (`widens`).",
    )


class SignatoriesSerializer(serializers.Serializer[Contract]):
    elected_official = serializers.CharField(source="elected_official_name", help_text="L'élu signataire.")
    prefect = serializers.CharField(source="prefect_name", help_text="Le préfet signataire.")
    delegate = serializers.CharField(source="delegate_name", help_text="Le délégué interministériel (facultatif).")


class DiagnosisSerializer(serializers.Serializer[Diagnosis]):
    """The diagnostic territorial: the figures, the needs by domain, the offer, the gaps."""

    bpi_count = serializers.IntegerField(
        allow_null=True, help_text="BPI (bénéficiaires de la protection internationale)."
    )
    other_newcomers_count = serializers.IntegerField(allow_null=True, help_text="Autres primo-arrivants.")
    needs_by_domain = serializers.DictField(
        child=serializers.CharField(), help_text="Besoins par domaine : code du domaine → texte."
    )
    existing_offer = serializers.CharField()
    gaps = serializers.CharField()
    complete = serializers.SerializerMethodField(help_text="Rien ne manque pour le terminer.")
    missing = serializers.SerializerMethodField(help_text="Ce qu'il manque, en français.")
    completed_at = serializers.DateTimeField(
        allow_null=True, help_text="Terminé le (étape « terminer le diagnostic »)."
    )

    def get_complete(self, diagnosis: Diagnosis) -> bool:
        return not diagnosis.missing()

    def get_missing(self, diagnosis: Diagnosis) -> list[str]:
        return diagnosis.missing()


class CtaiSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Contract]):
    """A contract in a list. `widened_into` comes from the queryset's annotation `widened_into_pk`."""

    kind = serializers.CharField(help_text=f"Type : {_codes(ContractKind)}.")
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.CharField(help_text=f"Code de l'état : {_codes(ContractState)}.")
    state_label = serializers.CharField(source="get_state_display")
    year = serializers.IntegerField(source="campaign.year", help_text="Année de campagne (lettre d'engagement).")
    authority = AuthorityRefSerializer(help_text="La collectivité signataire.")
    departement = serializers.CharField(source="department.code", help_text="Code INSEE du département du préfet.")
    widens = serializers.IntegerField(
        source="widens_id", allow_null=True, help_text="Le CTAIR que ce CTAI élargit (id), sinon null."
    )
    widened_into = serializers.SerializerMethodField(help_text="Le CTAI qui élargit ce CTAIR (id), sinon null.")
    coordinator = CoordinatorSerializer(source="*")
    widening = serializers.SerializerMethodField(
        help_text="La déclaration d'intention d'élargissement d'un CTAIR qui ouvre ce CTAI, sinon null."
    )
    signatories = SignatoriesSerializer(source="*")
    programmings = ProgrammingSummarySerializer(many=True, help_text="Les programmations annuelles, par année.")

    class Meta:
        model = Contract
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "state",
            "state_label",
            "year",
            "authority",
            "departement",
            "widens",
            "widened_into",
            "widening",
            "letter_date",
            "signature_year",
            "signed_on",
            "effective_from",
            "effective_to",
            "duration_years",
            "coordinator",
            "signatories",
            "closed_reason",
            "programmings",
            "state_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_widened_into(self, contract: Contract) -> int | None:
        return getattr(contract, "widened_into_pk", None)

    @extend_schema_field(WideningSerializer(allow_null=True))
    def get_widening(self, contract: Contract) -> dict[str, Any] | None:
        if contract.widening_declared_on is None:
            return None
        return dict(WideningSerializer(contract).data)


class CtaiDetailSerializer(CtaiSerializer):
    """A contract with its diagnostic and what the programme rules say of it (`findings`)."""

    diagnosis = serializers.SerializerMethodField(help_text="Le diagnostic territorial, s'il est commencé.")
    findings = serializers.SerializerMethodField(
        help_text="Règles du programme sur le contrat (signataire, lettre d'engagement), dérogations comprises."
    )

    class Meta(CtaiSerializer.Meta):
        fields = [*CtaiSerializer.Meta.fields, "diagnosis", "findings"]
        read_only_fields = fields

    @extend_schema_field(DiagnosisSerializer(allow_null=True))
    def get_diagnosis(self, contract: Contract) -> dict[str, Any] | None:
        try:
            diagnosis = contract.diagnosis
        except Diagnosis.DoesNotExist:
            return None
        return dict(DiagnosisSerializer(diagnosis).data)

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, contract: Contract) -> list[dict[str, Any]]:
        return finding_rows(contract.findings())


class WorkflowFormSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="Le motif (`reason`) : required, optional ou none.")
    reason_label = serializers.CharField()
    fields = serializers.ListField(  # type: ignore[assignment]  # Serializer.fields: a field named "fields"
        child=serializers.CharField(), help_text="Les autres champs du corps (dates, noms…)."
    )


class WorkflowTransitionSerializer(serializers.Serializer[Any]):
    """An available transition of a contract or a programming, with what its body needs (`form`)."""

    name = serializers.CharField(help_text="Nom de la transition, à mettre dans l'adresse du POST.")
    label = serializers.CharField(help_text="Libellé (bouton de l'interface).")  # type: ignore[assignment]
    target = serializers.CharField(help_text="L'état d'arrivée (code).")
    target_label = serializers.CharField()
    fields = serializers.ListField(  # type: ignore[assignment]  # Serializer.fields: a field named "fields"
        child=serializers.CharField(), help_text="Champs attendus dans le corps du POST."
    )
    form = WorkflowFormSerializer()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        form = instance.form
        extra = [str(name) for name in form.fields]
        return {
            "name": str(instance.name),
            "label": str(instance.label),
            "target": str(instance.target),
            "target_label": str(instance.target_label),
            "fields": (["reason"] if form.reason != "none" else []) + extra,
            "form": {"reason": form.reason, "reason_label": form.reason_label, "fields": extra},
        }


# --- Contracts (write) ---------------------------------------------------------------------------


class CtaiCreateSerializer(serializers.Serializer[Any]):
    authority = serializers.CharField(help_text="La collectivité signataire : code INSEE ou SIREN.")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Année de la campagne.")
    kind = serializers.ChoiceField(
        choices=ContractKind.choices, default=ContractKind.CTAI, help_text=f"Type : {_codes(ContractKind)}."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    widens = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Refusé : un CTAI qui élargit un CTAIR part de la déclaration d'intention de la collectivité, "
        "transition `declare_widening` du CTAIR (POST /api/v1/ctai/{id}/transitions/declare_widening/).",
    )

    def validate_authority(self, code: str) -> Authority:
        return authority_by_code(code)

    def validate_widens(self, value: int | None) -> None:
        if value is not None:
            raise serializers.ValidationError(
                "Pour élargir un CTAIR, déclarez l'intention de la collectivité sur le CTAIR : transition "
                f"« declare_widening » (POST /api/v1/ctai/{value}/transitions/declare_widening/).",
                code="widens",
            )


class DiagnosisWriteSerializer(serializers.Serializer[Any]):
    """The diagnostic's fields; those given replace the former ones (at the `diagnosis` step)."""

    bpi_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    other_newcomers_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    needs_by_domain = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Besoins par domaine : code du domaine → texte (remplace les précédents).",
    )
    existing_offer = serializers.CharField(required=False, allow_blank=True)
    gaps = serializers.CharField(required=False, allow_blank=True)

    def validate_needs_by_domain(self, needs: dict[str, str]) -> dict[str, str]:
        known = set(Domain.objects.filter(is_active=True, code__in=list(needs)).values_list("code", flat=True))
        unknown = sorted(set(needs) - known)
        if unknown:
            raise serializers.ValidationError(f"Domaines inconnus : {', '.join(unknown)}.", code="unknown_domain")
        return {code: text.strip() for code, text in needs.items() if text.strip()}


class CtaiTransitionInputSerializer(serializers.Serializer[Any]):
    """The body of a contract transition: `reason` and the fields its `form` lists (others are ignored)."""

    reason = serializers.CharField(required=False, allow_blank=True, help_text="Motif (abandon, fin, avenant).")
    letter_date = serializers.DateField(required=False, help_text="record_letter : date de la lettre d'engagement.")
    signature_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=2000, max_value=2100, help_text="record_letter : année visée."
    )
    signed_on = serializers.DateField(required=False, help_text="sign : date de signature.")
    effective_from = serializers.DateField(required=False, allow_null=True, help_text="sign : prise d'effet.")
    effective_to = serializers.DateField(required=False, allow_null=True, help_text="sign : fin d'effet.")
    duration_years = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="sign : durée.")
    elected_official_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    prefect_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    delegate_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    coordinator_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    coordinator_role = serializers.CharField(required=False, allow_blank=True, max_length=200)
    coordinator_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    coordinator_recruiting = serializers.BooleanField(required=False)
    declared_on = serializers.DateField(
        required=False, allow_null=True, help_text="declare_widening : date de la déclaration (défaut : aujourd'hui)."
    )
    objects_changed = serializers.ListField(
        child=serializers.ChoiceField(choices=AmendmentObject.choices),
        required=False,
        help_text=f"amend : ce que l'avenant change ({_codes(AmendmentObject)}).",
    )
    new_effective_to = serializers.DateField(required=False, allow_null=True, help_text="amend : nouvelle fin d'effet.")
    new_duration_years = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class CoordinatorWriteSerializer(serializers.Serializer[Any]):
    """F20: the coordinator, named (`name`), being recruited (`recruiting`), or none (all blank)."""

    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    role = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    recruiting = serializers.BooleanField(required=False, default=False)


class CtaiFilterSerializer(serializers.Serializer[Any]):
    """The list's filters (those of the CTAI list page, and the year)."""

    state = serializers.ChoiceField(choices=ContractState.choices, required=False, help_text="Code de l'état.")
    kind = serializers.ChoiceField(choices=ContractKind.choices, required=False, help_text="ctai ou ctair.")
    departement = serializers.CharField(required=False, max_length=3, help_text="Code INSEE du département.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Année de campagne.")


# --- Programmings --------------------------------------------------------------------------------


class ActionSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Action]):
    """An action of a programming and the Diair's check of it (`review`: pending, accepted, sent_back)."""

    carrier_kind = serializers.CharField(help_text=f"Porteur : {_codes(CarrierKind)}.")
    public = serializers.CharField(
        help_text=f"Public cible : {_codes(ActionPublic)} (les deux derniers hors programme)."
    )
    domains = serializers.SlugRelatedField[Domain](slug_field="code", many=True, read_only=True)
    priority = serializers.SlugRelatedField[Priority](
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="La priorité de la stratégie nationale pour l'accueil et l'intégration des réfugiés (code), "
        "ou null si elle reste à préciser.",
    )
    part = serializers.CharField(
        help_text=f"Part du financement qui porte l'action : {_codes(ActionPart)} (socle 104-15, complément 104-12)."
    )
    budget = _money(help_text="Budget total de l'action (€).")
    state_amount = _money(help_text="Montant demandé à l'État (€).")
    review = serializers.CharField(help_text=f"Examen de la Diair : {_codes(ActionReview)}.")
    application = serializers.IntegerField(
        source="application_id", allow_null=True, help_text="La candidature retenue (appel à projets), s'il y en a une."
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "diagnosis_need",
            "cir_link",
            "carrier_kind",
            "carrier_name",
            "siret",
            "rna",
            "domains",
            "priority",
            "public",
            "planned_bpi",
            "planned_newcomers",
            "part",
            "budget",
            "state_amount",
            "review",
            "review_reason",
            "reviewed_at",
            "application",
            "created_at",
        ]
        read_only_fields = fields


class FundingSerializer(serializers.Serializer[Any]):
    """The computation of the year's funding with the campaign's rule (F15, F43)."""

    planned_bpi = serializers.IntegerField(help_text="BPI prévus (somme des actions retenues).")
    planned_newcomers = serializers.IntegerField(help_text="Autres primo-arrivants prévus (somme des actions).")
    complement_rule = serializers.CharField(help_text="Règle des crédits complémentaires de la campagne.")
    complement_cap = _money(help_text="Plafond des crédits complémentaires (€).")
    base_min = _money(help_text="Socle minimum (€).")
    base_max = _money(help_text="Socle maximum (€).")
    max_complement = _money(
        help_text=(
            "Crédits complémentaires maximum avec ce socle : le socle multiplié par les autres "
            "primo-arrivants prévus, divisé par les BPI prévus, plafonné."
        )
    )
    base = _money(help_text="Socle demandé (104-15).")
    complement = _money(help_text="Crédits complémentaires demandés (104-12).")
    total = _money(help_text="Total demandé.")
    on_base = _money(help_text="Montants demandés à l'État par les actions portées par le socle (= socle).")
    on_complement = _money(help_text="Montants demandés par les actions portées par le complément (= complément).")


class MoneyLineSerializer(serializers.Serializer[Any]):
    """One budget line of a committed programming, as the ledger says."""

    line = serializers.CharField(source="code", help_text="Ligne budgétaire : 104-15 (socle) ou 104-12 (complément).")
    committed = _money(help_text="Engagé (€), net de ce qui a été libéré au bilan.")
    paid = _money(help_text="Versé (€) : l'avance, puis le solde.")
    to_pay = _money(help_text="Reste à verser (€).")
    spent = _money(allow_null=True, help_text="Dépensé selon le bilan de l'année (€), une fois soldée.")


class ProgrammingSerializer(ProgrammingSummarySerializer):
    """A programming in a list."""

    contract = serializers.IntegerField(source="contract_id", help_text="Le contrat (id).")
    authority = AuthorityRefSerializer(source="contract.authority", help_text="La collectivité signataire.")
    departement = serializers.CharField(source="contract.department.code", help_text="Code INSEE du département.")
    changes_reason = serializers.CharField(help_text="Les modifications demandées par la Diair (la dernière fois).")
    base_commitment = serializers.IntegerField(
        source="base_commitment_id", allow_null=True, help_text="L'engagement du socle (104-15), une fois engagé."
    )
    complement_commitment = serializers.IntegerField(
        source="complement_commitment_id", allow_null=True, help_text="L'engagement du complément (104-12)."
    )
    report_received_on = serializers.DateField(allow_null=True, help_text="Bilan de l'année reçu le (soldée).")
    final_base_amount = _money(allow_null=True, help_text="Dépensé sur le socle selon le bilan (€).")
    final_complement_amount = _money(allow_null=True, help_text="Dépensé sur le complément selon le bilan (€).")
    state_changed_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProgrammingDetailSerializer(ProgrammingSerializer):
    """A programming with its actions, the computation of its funding and what the rules say."""

    actions = ActionSerializer(many=True)
    funding = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField(
        help_text="Par ligne engagée : engagé, versé, reste à verser, dépensé (vide avant l'engagement)."
    )
    findings = serializers.SerializerMethodField(
        help_text="Règles de la campagne (domaines, logement, socle, plafond) et contrôles de la programmation."
    )

    @extend_schema_field(FundingSerializer)
    def get_funding(self, programming: Programming) -> dict[str, Any]:
        rules = programming.current_rules()
        subject = programming.rule_subject()
        funding = programming.funding()
        sums = part_sums(programming.counted_actions())
        return dict(
            FundingSerializer(
                {
                    "planned_bpi": subject.planned_bpi or 0,
                    "planned_newcomers": subject.planned_newcomers or 0,
                    "complement_rule": rules["complement_rule"],
                    "complement_cap": rules["complement_cap"],
                    "base_min": rules["base_min"],
                    "base_max": rules["base_max"],
                    "max_complement": funding.complement,
                    "base": programming.base_amount,
                    "complement": programming.complement_amount,
                    "total": programming.total_amount,
                    "on_base": sums[ActionPart.BASE],
                    "on_complement": sums[ActionPart.COMPLEMENT],
                }
            ).data
        )

    @extend_schema_field(MoneyLineSerializer(many=True))
    def get_money(self, programming: Programming) -> list[dict[str, Any]]:
        return [dict(MoneyLineSerializer(line).data) for line in money_lines(programming)]

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, programming: Programming) -> list[dict[str, Any]]:
        return finding_rows(programming.findings())


class ProgrammingCreateSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Année de la programmation.")
    base_amount = MoneyField(required=False, default=0, help_text="Socle demandé (€, 104-15).")
    complement_amount = MoneyField(required=False, default=0, help_text="Crédits complémentaires demandés (€, 104-12).")


class ProgrammingAmountsSerializer(serializers.Serializer[Any]):
    base_amount = MoneyField(required=False, help_text="Socle demandé (€, 104-15).")
    complement_amount = MoneyField(required=False, help_text="Crédits complémentaires demandés (€, 104-12).")


class ActionWriteSerializer(serializers.Serializer[Any]):
    """An action's fields (all required at creation but `description`, the carrier's and the counts)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    diagnosis_need = serializers.CharField(
        required=False, allow_blank=True, help_text="Besoin du diagnostic territorial auquel l'action répond (F13)."
    )
    cir_link = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Articulation avec le contrat d'intégration républicaine (CIR) (F07).",
    )
    # A string checked below, not a ChoiceField: its enum would collide with the PTAI's `carrier_kind`.
    carrier_kind = serializers.CharField(required=False, help_text=f"Porteur : {_codes(CarrierKind)}.")
    carrier_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    siret = serializers.CharField(max_length=14, required=False, allow_blank=True, help_text="SIRET d'une association.")
    rna = serializers.CharField(max_length=10, required=False, allow_blank=True)
    domains = serializers.ListField(child=serializers.SlugField(), help_text="Codes des domaines.")
    priority = serializers.SlugField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Code de la priorité de la stratégie nationale (GET /api/v1/priorities/) ; vide : à préciser.",
    )
    # A string checked below, not a ChoiceField (its enum would collide in the OpenAPI document).
    part = serializers.CharField(
        required=False, help_text=f"Part du financement : {_codes(ActionPart)} (défaut : base, le socle)."
    )
    public = serializers.ChoiceField(
        choices=ActionPublic.choices, required=False, help_text=f"Public cible : {_codes(ActionPublic)}."
    )
    planned_bpi = serializers.IntegerField(min_value=0, required=False)
    planned_newcomers = serializers.IntegerField(min_value=0, required=False)
    budget = MoneyField(help_text="Budget total (€).")
    state_amount = MoneyField(help_text="Montant demandé à l'État (€).")

    def validate_part(self, value: str) -> str:
        if value not in ActionPart.values:
            raise serializers.ValidationError(
                f"« {value} » n'est pas un choix valide : {_codes(ActionPart)}.", code="invalid_choice"
            )
        return value

    def validate_carrier_kind(self, value: str) -> str:
        if value not in CarrierKind.values:
            raise serializers.ValidationError(
                f"« {value} » n'est pas un choix valide : {_codes(CarrierKind)}.", code="invalid_choice"
            )
        return value


class ActionReviewSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[(ActionReview.ACCEPTED.value, "Acceptée"), (ActionReview.SENT_BACK.value, "Renvoyée")],
        help_text="accepted ou sent_back.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Motif du renvoi.")


class ProgrammingTransitionInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Message à la Diair, modifications demandées, motif de l'annulation de l'engagement, observations.",
    )
    report_received_on = serializers.DateField(required=False, help_text="close : date de réception du bilan.")
    final_base_amount = MoneyField(
        required=False, allow_null=True, help_text="close : dépensé sur le socle (€ ; vide : tout)."
    )
    final_complement_amount = MoneyField(
        required=False, allow_null=True, help_text="close : dépensé sur le complément (€ ; vide : tout)."
    )


class PrioritySerializer(BlankChoicesAsNull, serializers.ModelSerializer[Priority]):
    """A priority of the national strategy for the reception and integration of refugees (2018)."""

    class Meta:
        model = Priority
        fields = ["code", "label", "position", "is_active"]
        read_only_fields = fields


# --- Calls for projects --------------------------------------------------------------------------


class CallSerializer(BlankChoicesAsNull, serializers.ModelSerializer[Call]):
    state = serializers.CharField(help_text="Code de l'état : draft, published, closed.")
    state_label = serializers.CharField(source="get_state_display")
    year = serializers.IntegerField(source="campaign.year")
    authority = AuthorityRefSerializer(help_text="La collectivité qui publie l'appel.")
    contract = serializers.IntegerField(source="contract_id", help_text="Le contrat (id).")
    domains = serializers.SlugRelatedField[Domain](slug_field="code", many=True, read_only=True)
    budget = _money(help_text="Budget de l'appel (€).")
    is_open = serializers.SerializerMethodField(help_text="Publié et avant sa date limite.")

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "state",
            "state_label",
            "year",
            "authority",
            "contract",
            "domains",
            "deadline",
            "budget",
            "is_open",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_open(self, call: Call) -> bool:
        return call.is_open(self.context.get("today"))


class CallDetailSerializer(CallSerializer):
    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "text"]
        read_only_fields = fields


class CallFilterSerializer(serializers.Serializer[Any]):
    open = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true : publiés et avant leur date limite ; false : les autres.",
    )

"""Writing the programme's data: campaigns, domains, the national strategy's priorities, derogations.
Each change writes an audit event."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from accounts.enums import Role
from audit.services import record_event
from core.formats import format_euros
from programme.models import Campaign, Derogation, Domain, Priority
from programme.rules import DEROGATION_RULE_IDS


def can_manage_programme(user: Any) -> bool:
    """Administrators edit campaigns, domains and the national strategy's priorities."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN))


def can_read_programme(user: Any) -> bool:
    """Administrators, the Diair and the Ministère read the campaign pages."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ADMIN, Role.DIAIR, Role.MINISTRY))


def _check_may_manage(actor: Any) -> None:
    if not can_manage_programme(actor):
        raise PermissionDenied("Seul un administrateur modifie les paramètres du programme.")


# --- Campaigns ----------------------------------------------------------------------------------

M2M_FIELDS = ("budget_lines", "ctai_mandatory_domains", "ptai_mandatory_domains")


def _shown(value: Any) -> str:
    """A parameter's value as the timeline shows it (French formats, labels)."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(v) for v in value)) or "aucun"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in campaign._meta.concrete_fields:
        if field.name == "id":
            continue
        values[field.name] = getattr(campaign, field.name)
    for name in M2M_FIELDS:
        values[name] = sorted(str(obj) for obj in getattr(campaign, name).all())
    return values


def _describe(name: str, value: Any) -> str:
    if name in ("national_envelope", "base_min", "base_max", "complement_cap", "evaluation_threshold"):
        return format_euros(value)
    return _shown(value)


@transaction.atomic
def update_campaign(*, actor: Any, campaign: Campaign, values: dict[str, Any]) -> dict[str, list[str]]:
    """Set the given parameters (fields and M2M by name); the event lists what changed (before → after).

    Returns the changes, empty when nothing changed (then no event is written). The database checks
    base_min ≤ base_max; forms check it first with a French message.
    """
    _check_may_manage(actor)
    # Locked as `finance.services.open_national_envelope` locks it: the two cannot cross.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    before = _snapshot(campaign)
    if "national_envelope" in values and values["national_envelope"] < (opened := campaign.opened_credits()):
        raise ValidationError(
            {
                "national_envelope": (
                    f"{format_euros(opened)} sont déjà ouverts sur les enveloppes nationales {campaign.year} : "
                    "l'enveloppe nationale ne peut pas être inférieure."
                )
            }
        )
    for name, value in values.items():
        if name in M2M_FIELDS:
            continue
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    for name in M2M_FIELDS:
        if name in values:
            getattr(campaign, name).set(values[name])
    after = _snapshot(campaign)
    changes = {
        campaign._meta.get_field(name).verbose_name: [_describe(name, before[name]), _describe(name, after[name])]  # type: ignore[union-attr]
        for name in after
        if before[name] != after[name]
    }
    if changes:
        record_event(
            actor=actor,
            verb="programme.campaign_updated",
            target=campaign,
            details={str(label): f"{old} → {new}" for label, (old, new) in changes.items()},
        )
    return {str(label): pair for label, pair in changes.items()}


def _next_year_date(value: date) -> date:
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


@transaction.atomic
def create_next_campaign(*, actor: Any) -> Campaign:
    """Copy the latest campaign into the next year (every parameter, its M2M; deadline + 1 year)."""
    _check_may_manage(actor)
    source = Campaign.objects.select_for_update().order_by("-year").first()
    if source is None:
        raise ValidationError("Aucune campagne à copier.")
    copy = Campaign.objects.get(pk=source.pk)
    copy.pk = None
    copy._state.adding = True
    copy.year = source.year + 1
    copy.letter_deadline = _next_year_date(source.letter_deadline)
    copy.notes = f"Copiée de la campagne {source.year} : paramètres à vérifier.\n\n{source.notes}".strip()
    copy.save()
    for name in M2M_FIELDS:
        getattr(copy, name).set(getattr(source, name).all())
    record_event(
        actor=actor,
        verb="programme.campaign_created",
        target=copy,
        details={"copiée de": f"campagne {source.year}"},
    )
    return copy


# --- Domains ------------------------------------------------------------------------------------


@transaction.atomic
def rename_domain(*, actor: Any, domain: Domain, label: str) -> bool:
    """Change a domain's label (its code stays). Returns whether anything changed."""
    _check_may_manage(actor)
    label = label.strip()
    if not label:
        raise ValidationError({"label": "Indiquez le libellé du domaine."})
    if label == domain.label:
        return False
    old = domain.label
    domain.label = label
    domain.save(update_fields=["label"])
    record_event(actor=actor, verb="programme.domain_renamed", target=domain, details={"libellé": f"{old} → {label}"})
    return True


# --- Priorities of the national strategy (F13) --------------------------------------------------


@transaction.atomic
def rename_priority(*, actor: Any, priority: Priority, label: str) -> bool:
    """Reword a priority of the national strategy (its code stays). Returns whether anything changed."""
    _check_may_manage(actor)
    label = label.strip()
    if not label:
        raise ValidationError({"label": "Indiquez le libellé de la priorité."})
    if label == priority.label:
        return False
    old = priority.label
    priority.label = label
    priority.save(update_fields=["label"])
    record_event(
        actor=actor, verb="programme.priority_renamed", target=priority, details={"libellé": f"{old} → {label}"}
    )
    return True


# --- Derogations --------------------------------------------------------------------------------


class DerogationTarget(Protocol):
    """A file on which a derogation may be recorded says who may record it (e.g. `Contract`: its
    préfet or the Diair, while the contract is being negotiated)."""

    pk: Any

    def may_derogate(self, user: Any) -> bool: ...


@transaction.atomic
def record_derogation(
    *, actor: Any, target: models.Model, rule_id: str, justification: str, campaign_year: int | None = None
) -> Derogation:
    """Lift a derogation rule on a file with a written justification; audited on the file. Only who
    the file says may (`may_derogate`): a file that says nothing takes no derogation."""
    may_derogate = getattr(target, "may_derogate", None)
    if may_derogate is None or not may_derogate(actor):
        raise PermissionDenied("Seuls le préfet du territoire et la Diair justifient une dérogation sur ce dossier.")
    if rule_id not in DEROGATION_RULE_IDS:
        raise ValidationError(f"La règle « {rule_id} » ne peut pas être levée par une dérogation.")
    text = justification.strip()
    if not text:
        raise ValidationError({"justification": "Écrivez la justification de la dérogation."})
    derogation = Derogation.objects.create(
        rule_id=rule_id, justification=text, actor=actor, target=target, campaign_year=campaign_year
    )
    record_event(
        actor=actor,
        verb="programme.derogation_recorded",
        target=target,
        details={"règle": rule_id, "justification": text},
    )
    return derogation


def lifted_for(target: models.Model) -> dict[str, str]:
    """The derogations recorded on a file, as `check(..., lifted=...)` reads them (latest wins)."""
    rows = Derogation.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).order_by("created_at", "pk")
    return {row.rule_id: row.justification for row in rows}

"""Every movement of money. Each function locks what it checks (select_for_update, in pk order),
checks the invariant on the ledger, writes the entries and the audit event, in one transaction.

Invariants: never delegate more than an envelope holds, never commit beyond what is available on
the envelope (one envelope = one campaign · one budget line · one territory), never pay beyond a
commitment, no balance below zero — also when two agents act at the same time.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Sum

from audit.services import record_event
from core.formats import format_euros
from finance.balances import balance, commitment_totals, to_cents
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Commitment, Envelope, LedgerEntry
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


class FinanceError(ValidationError):
    """A refused movement, with a French message a user can act on. Nothing was written."""


def parse_amount(value: Any, *, allow_zero: bool = False) -> Decimal:
    """A strictly positive amount in euros with at most two decimals ("1 234,50" is accepted).
    `allow_zero`: zero or more, and a blank value is 0 (a budget line, a programming's amounts)."""
    if allow_zero and (value is None or (isinstance(value, str) and not value.strip())):
        return Decimal("0.00")
    if isinstance(value, str):
        value = value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise FinanceError("Indiquez un montant en euros, par exemple 150 000 ou 1 234,50.", code="amount") from exc
    if not amount.is_finite():
        raise FinanceError("Indiquez un montant en euros, par exemple 150 000 ou 1 234,50.", code="amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise FinanceError(
            "Le montant ne peut pas être négatif." if allow_zero else "Le montant doit être supérieur à zéro.",
            code="amount_positive",
        )
    # Before quantize(), which raises InvalidOperation beyond the 28 digits of the decimal context.
    if amount > MAX_AMOUNT:
        raise FinanceError("Ce montant est trop élevé.", code="amount_too_large")
    if amount != amount.quantize(CENT):
        raise FinanceError("Le montant a au plus deux décimales (les centimes).", code="amount_cents")
    return amount.quantize(CENT)


def _lock(*envelopes: Envelope) -> dict[int, Envelope]:
    """Lock the envelopes' rows in a stable order (no deadlock between two movements)."""
    ids = sorted({e.pk for e in envelopes})
    locked = Envelope.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {e.pk: e for e in locked}


def department_envelope(
    *, campaign: Campaign, line_code: str, department: Department, rules: dict[str, Any]
) -> Envelope:
    """The envelope a file of `department` draws on for `campaign`'s budget line `line_code` (F41):
    PTAI, CTAI programmings. `rules`: the campaign's rules the decision keeps (its open lines)."""
    if line_code not in rules.get("budget_lines", []):
        raise FinanceError(
            f"La ligne {line_code} n'est pas ouverte pour la campagne {campaign.year}.", code="budget_line"
        )
    envelope = (
        Envelope.objects.select_related("campaign", "budget_line", "department")
        .filter(
            campaign_id=campaign.pk,
            budget_line__code=line_code,
            level=EnvelopeLevel.DEPARTMENT,
            department_id=department.pk,
        )
        .first()
    )
    if envelope is None:
        raise FinanceError(
            f"Aucun crédit {campaign.year} de la ligne {line_code} n'a été délégué au département "
            f"{department} : déléguez d'abord des crédits à ce département.",
            code="no_envelope",
        )
    return envelope


def _refuse_beyond_available(envelope: Envelope, amount: Decimal, action: str) -> None:
    available = balance(envelope.pk).available
    if amount > available:
        raise FinanceError(
            f"Impossible {action} {format_euros(amount)} : il reste {format_euros(available)} à engager "
            f"sur l'enveloppe {envelope}.",
            code="beyond_available",
        )


@transaction.atomic
def open_national_envelope(
    *, actor: Any, campaign: Campaign, budget_line: BudgetLine, amount: Any, reason: str = ""
) -> LedgerEntry:
    """Open credits on the national envelope of a budget line, within the campaign's national envelope."""
    amount = parse_amount(amount)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.budget_lines.filter(pk=budget_line.pk).exists():
        raise FinanceError(f"La ligne {budget_line.code} n'est pas ouverte pour la campagne {campaign.year}.")
    opened = LedgerEntry.objects.filter(
        envelope__campaign=campaign, envelope__level=EnvelopeLevel.NATIONAL, kind=EntryKind.ALLOCATION
    ).aggregate(total=Sum("amount"))["total"]
    opened = to_cents(opened)
    if opened + amount > campaign.national_envelope:
        left = campaign.national_envelope - opened
        raise FinanceError(
            f"L'enveloppe nationale {campaign.year} est de {format_euros(campaign.national_envelope)} : "
            f"il reste {format_euros(left)} à ouvrir.",
            code="beyond_national_envelope",
        )
    envelope, _ = Envelope.objects.get_or_create(
        campaign=campaign, budget_line=budget_line, level=EnvelopeLevel.NATIONAL
    )
    entry = LedgerEntry.objects.create(
        envelope=envelope, kind=EntryKind.ALLOCATION, amount=amount, reason=reason, created_by=_user(actor)
    )
    record_event(actor=actor, verb="finance.credits_opened", target=envelope, details={"montant": format_euros(amount)})
    return entry


def _child_scope(source: Envelope, region: Region | None, department: Department | None) -> dict[str, Any]:
    if (region is None) == (department is None):
        raise FinanceError("Choisissez une région ou un département.", code="target")
    if source.level == EnvelopeLevel.DEPARTMENT:
        raise FinanceError("Les crédits d'un département ne se délèguent pas plus bas.", code="target")
    if source.level == EnvelopeLevel.REGION and (department is None or department.region_id != source.region_id):
        raise FinanceError(
            f"Une enveloppe régionale se délègue aux départements de la région {source.region}.", code="target"
        )
    if department is not None:
        return {"level": EnvelopeLevel.DEPARTMENT, "department": department}
    return {"level": EnvelopeLevel.REGION, "region": region}


@transaction.atomic
def delegate(
    *,
    actor: Any,
    source: Envelope,
    amount: Any,
    region: Region | None = None,
    department: Department | None = None,
    reason: str = "",
) -> LedgerEntry:
    """Delegate credits down the chain (national → région or département, région → département)."""
    amount = parse_amount(amount)
    scope = _child_scope(source, region, department)
    source = _lock(source)[source.pk]
    _refuse_beyond_available(source, amount, "de déléguer")
    child, _ = Envelope.objects.get_or_create(
        campaign_id=source.campaign_id, budget_line_id=source.budget_line_id, **scope, defaults={"parent": source}
    )
    if child.parent_id != source.pk:
        raise FinanceError(
            f"L'enveloppe {child} reçoit déjà ses crédits de {child.parent} : déléguez depuis celle-ci.",
            code="other_parent",
        )
    user = _user(actor)
    out = LedgerEntry.objects.create(
        envelope=source, kind=EntryKind.DELEGATION_OUT, amount=amount, reason=reason, created_by=user
    )
    LedgerEntry.objects.create(
        envelope=child, kind=EntryKind.DELEGATION_IN, amount=amount, counterpart=out, reason=reason, created_by=user
    )
    record_event(
        actor=actor,
        verb="finance.delegated",
        target=child,
        details={"montant": format_euros(amount), "depuis": str(source)},
    )
    return out


@transaction.atomic
def commit(
    *, actor: Any, envelope: Envelope, amount: Any, funded: models.Model, label: str, rules: dict[str, Any]
) -> Commitment:
    """Commit credits to a file. `rules` is the campaign's `rules()` at the time of the decision."""
    amount = parse_amount(amount)
    envelope = _lock(envelope)[envelope.pk]
    _refuse_beyond_available(envelope, amount, "d'engager")
    user = _user(actor)
    commitment = Commitment.objects.create(envelope=envelope, funded=funded, label=label, rules=rules, created_by=user)
    LedgerEntry.objects.create(
        envelope=envelope, kind=EntryKind.COMMITMENT, amount=amount, commitment=commitment, created_by=user
    )
    record_event(
        actor=actor,
        verb="finance.committed",
        target=envelope,
        details={"montant": format_euros(amount), "objet": label},
    )
    return commitment


@transaction.atomic
def pay(*, actor: Any, commitment: Commitment, amount: Any, tranche: str = Tranche.ADVANCE) -> LedgerEntry:
    """Pay a tranche of a commitment, never beyond what is committed."""
    amount = parse_amount(amount)
    if tranche not in Tranche.values:
        raise FinanceError("Choisissez la tranche : avance, acompte ou solde.", code="tranche")
    envelope = _lock(commitment.envelope)[commitment.envelope_id]
    committed, paid = commitment_totals([commitment.pk])[commitment.pk]
    if paid + amount > committed:
        raise FinanceError(
            f"Impossible de verser {format_euros(amount)} : il reste {format_euros(committed - paid)} à payer "
            f"sur l'engagement « {commitment.label} ».",
            code="beyond_commitment",
        )
    entry = LedgerEntry.objects.create(
        envelope=envelope,
        kind=EntryKind.PAYMENT,
        amount=amount,
        commitment=commitment,
        tranche=tranche,
        created_by=_user(actor),
    )
    record_event(
        actor=actor,
        verb="finance.paid",
        target=envelope,
        details={"montant": format_euros(amount), "tranche": Tranche(tranche).label, "objet": commitment.label},
    )
    return entry


@transaction.atomic
def release(*, actor: Any, commitment: Commitment, amount: Any, reason: str) -> LedgerEntry:
    """Give back the unspent part of a commitment (when a file is closed below what was committed).

    Written as a partial reversal of the commitment's entry; it never goes below what was paid.
    """
    amount = parse_amount(amount)
    reason = reason.strip()
    if not reason:
        raise FinanceError("Indiquez le motif de la libération des crédits.", code="reason")
    envelope = _lock(commitment.envelope)[commitment.envelope_id]
    committed, paid = commitment_totals([commitment.pk])[commitment.pk]
    if amount > committed - paid:
        raise FinanceError(
            f"Impossible de libérer {format_euros(amount)} : il reste {format_euros(committed - paid)} engagés "
            f"et non versés sur « {commitment.label} ».",
            code="beyond_unpaid",
        )
    original = (
        LedgerEntry.objects.filter(commitment=commitment, kind=EntryKind.COMMITMENT, reverses__isnull=True)
        .exclude(reversed_by__isnull=False)
        .order_by("pk")
        .first()
    )
    if original is None or original.amount < amount:
        raise FinanceError("Cet engagement a déjà été annulé ou libéré.", code="already_reversed")
    entry = LedgerEntry.objects.create(
        envelope=envelope,
        kind=EntryKind.COMMITMENT,
        amount=-amount,
        commitment=commitment,
        reverses=original,
        reason=reason,
        created_by=_user(actor),
    )
    record_event(
        actor=actor,
        verb="finance.released",
        target=envelope,
        details={"montant": format_euros(amount), "objet": commitment.label, "motif": reason},
    )
    return entry


@transaction.atomic
def reverse(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel an entry by a reversal entry (never an edit), if the balances allow it."""
    reason = reason.strip()
    if not reason:
        raise FinanceError("Indiquez le motif de l'annulation.", code="reason")
    entry = LedgerEntry.objects.select_related("envelope", "counterpart", "commitment").get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise FinanceError("Une annulation ne s'annule pas : passez une nouvelle écriture.", code="reversal")
    if entry.kind == EntryKind.DELEGATION_IN:
        # The receiving side points at the delegation it received (`counterpart`): reverse from there.
        sent_id = entry.counterpart_id
        assert sent_id is not None, "a received delegation always points at the one sent"
        entry = LedgerEntry.objects.select_related("envelope", "counterpart", "commitment").get(pk=sent_id)
    incoming = entry.counterpart_of if entry.kind == EntryKind.DELEGATION_OUT else None
    locked = _lock(entry.envelope, *([incoming.envelope] if incoming is not None else []))
    # Checked under the locks: two agents reversing the same entry at once get one reversal and
    # one French refusal (not a misleading balance message, nor a unique-constraint error).
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise FinanceError("Cette écriture est déjà annulée.", code="already_reversed")
    amount = entry.amount
    user = _user(actor)
    if incoming is not None:
        child = locked[incoming.envelope_id]
        available = balance(child.pk).available
        if amount > available:
            raise FinanceError(
                f"Impossible d'annuler cette délégation : l'enveloppe {child} n'a plus que "
                f"{format_euros(available)} disponibles (le reste est délégué ou engagé).",
                code="beyond_available",
            )
        reversal = LedgerEntry.objects.create(
            envelope=entry.envelope, kind=entry.kind, amount=-amount, reverses=entry, reason=reason, created_by=user
        )
        LedgerEntry.objects.create(
            envelope=child,
            kind=EntryKind.DELEGATION_IN,
            amount=-amount,
            reverses=incoming,
            counterpart=reversal,
            reason=reason,
            created_by=user,
        )
    else:
        envelope = locked[entry.envelope_id]
        if entry.kind == EntryKind.ALLOCATION:
            _refuse_beyond_available(envelope, amount, "d'annuler l'ouverture de")
        elif entry.kind == EntryKind.COMMITMENT:
            commitment_id = entry.commitment_id
            assert commitment_id is not None
            committed, paid = commitment_totals([commitment_id])[commitment_id]
            if committed - amount < paid:
                raise FinanceError(
                    f"Impossible d'annuler cet engagement : {format_euros(paid)} ont déjà été versés. "
                    "Annulez d'abord les versements.",
                    code="paid",
                )
        reversal = LedgerEntry.objects.create(
            envelope=envelope,
            kind=entry.kind,
            amount=-amount,
            commitment=entry.commitment,
            tranche=entry.tranche,
            reverses=entry,
            reason=reason,
            created_by=user,
        )
    record_event(
        actor=actor,
        verb="finance.reversed",
        target=entry.envelope,
        details={"écriture": entry.get_kind_display(), "montant": format_euros(amount), "motif": reason},
    )
    return reversal


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None

"""Every movement of money. Each function checks its `actor` (`finance.permissions`: who may open,
delegate, commit, pay, reverse — the pages and the API only ask), locks what it checks
(select_for_update, in pk order), checks the invariant on the ledger, writes the entries and the
audit event, in one transaction.

Invariants: never delegate more than an envelope holds, never commit beyond what is available on
the envelope (one envelope = one campaign · one budget line · one territory), never pay beyond a
commitment, no balance below zero — also when two agents act at the same time. Credits delegated
for a file (a PTAI) are held for it on the département's envelope until they are committed
(`balances.earmarked`).

The money path of a funded file, the same for a PTAI and a CTAI programming year:
`delegate_for_file` (PTAI: the Ministère) → `fund` (the authorising officer commits and pays the
advance) → `settle` (the balance on the final report, the rest released) — or `cancel_commitment`
/ `cancel_file_delegation`, through the file's workflow only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from audit.services import record_event
from core.formats import format_euros
from core.numbers import parse_euros
from finance import permissions
from finance.balances import balance, commitment_totals, earmarked
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Commitment, Envelope, LedgerEntry
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region

CENT = Decimal("0.01")


class FinanceError(ValidationError):
    """A refused movement, with a French message a user can act on. Nothing was written."""


def parse_amount(value: Any, *, allow_zero: bool = False, ceiling: Decimal | None = None) -> Decimal:
    """A strictly positive amount in euros, to the cent, typed the French way ("40 000", "12 345,67 €")
    or given as a Decimal; `allow_zero`: zero or more, and a blank value is 0 (a budget line, a
    programming's amounts). `core.numbers.parse_euros`, its refusals as a FinanceError."""
    try:
        return parse_euros(value, allow_zero=allow_zero, ceiling=ceiling)
    except ValidationError as exc:
        raise FinanceError(exc.messages[0], code=exc.code) from exc


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


def national_availability(*, campaign: Campaign, line_code: str, rules: dict[str, Any]) -> tuple[Envelope, Decimal]:
    """The national envelope of `campaign`'s line `line_code` and what it can still give (opened, not
    yet delegated or committed). `rules`: the campaign's rules a decision keeps (its open lines)."""
    if line_code not in rules.get("budget_lines", []):
        raise FinanceError(
            f"La ligne {line_code} n'est pas ouverte pour la campagne {campaign.year}.", code="budget_line"
        )
    national = (
        Envelope.objects.select_related("campaign", "budget_line")
        .filter(campaign_id=campaign.pk, budget_line__code=line_code, level=EnvelopeLevel.NATIONAL)
        .first()
    )
    if national is None:
        raise FinanceError(
            f"Aucun crédit {campaign.year} n'est ouvert sur la ligne {line_code} : ouvrez d'abord les crédits.",
            code="no_national_envelope",
        )
    return national, balance(national.pk).available


def _allow(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _refuse_beyond_available(
    envelope: Envelope, amount: Decimal, action: str, *, funded: models.Model | None = None
) -> None:
    """Refuse unless `amount` fits in what the envelope can still give, less what it holds for the
    files whose credits were delegated to it and not yet committed (except `funded`'s own)."""
    available = balance(envelope.pk).available
    held = earmarked(envelope, excluding=funded)
    if amount > available - held:
        detail = f", dont {format_euros(held)} délégués pour des dossiers dont l'engagement est attendu" if held else ""
        raise FinanceError(
            f"Impossible {action} {format_euros(amount)} : il reste {format_euros(available)} à engager "
            f"sur l'enveloppe {envelope}{detail}.",
            code="beyond_available",
        )


@transaction.atomic
def open_national_envelope(
    *, actor: Any, campaign: Campaign, budget_line: BudgetLine, amount: Any, reason: str = ""
) -> LedgerEntry:
    """Open credits on the national envelope of a budget line, within the campaign's national envelope."""
    _allow(permissions.may_open_credits(actor), "Seul le Ministère ouvre des crédits sur l'enveloppe nationale.")
    amount = parse_amount(amount)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.budget_lines.filter(pk=budget_line.pk).exists():
        raise FinanceError(f"La ligne {budget_line.code} n'est pas ouverte pour la campagne {campaign.year}.")
    opened = campaign.opened_credits()
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
    _allow(
        permissions.may_delegate_from(actor, source),
        "Seul le Ministère délègue les crédits nationaux, et le préfet de région ceux de sa région.",
    )
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
    _allow(
        permissions.may_commit_on(actor, envelope),
        "Seul le préfet du département, ou l'agent qui a sa délégation de signature, engage ses crédits.",
    )
    amount = parse_amount(amount)
    envelope = _lock(envelope)[envelope.pk]
    _refuse_beyond_available(envelope, amount, "d'engager", funded=funded)
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
    if tranche not in Tranche.values:
        raise FinanceError("Choisissez la tranche : avance, acompte ou solde.", code="tranche")
    _allow(
        permissions.may_pay(actor, commitment),
        "Seul le préfet du département, ou l'agent qui a sa délégation de signature, verse les crédits.",
    )
    amount = parse_amount(amount)
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
    """Give back the unspent part of a commitment (a file settled below what was committed).

    Its own kind of entry (`release`), not a reversal: the commitment stays cancellable for what
    remains. It never goes below what was paid.
    """
    _allow(
        permissions.may_pay(actor, commitment),
        "Seul le préfet du département, ou l'agent qui a sa délégation de signature, libère les crédits.",
    )
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
    entry = LedgerEntry.objects.create(
        envelope=envelope,
        kind=EntryKind.RELEASE,
        amount=amount,
        commitment=commitment,
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


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise FinanceError(f"Indiquez le motif {what}.", code="reason")
    return reason


def _entry(pk: int) -> LedgerEntry:
    return LedgerEntry.objects.select_related("envelope__department", "counterpart", "commitment").get(pk=pk)


def _sent_side(entry: LedgerEntry) -> LedgerEntry:
    """A delegation is reversed from the side that sent it (the received side points at it)."""
    entry = _entry(entry.pk)
    if entry.kind == EntryKind.DELEGATION_IN and entry.reverses_id is None:
        assert entry.counterpart_id is not None, "a received delegation always points at the one sent"
        return _entry(entry.counterpart_id)
    return entry


def _reverse(entry: LedgerEntry, *, reason: str, user: Any, funded: models.Model | None = None) -> LedgerEntry:
    """Write the reversal of `entry` (the sent side of a delegation) if the balances allow it.
    `funded`: the file whose own delegated money may be taken back (its delegation cancelled)."""
    incoming = entry.counterpart_of if entry.kind == EntryKind.DELEGATION_OUT else None
    locked = _lock(entry.envelope, *([incoming.envelope] if incoming is not None else []))
    # Checked under the locks: two agents reversing the same entry at once get one reversal and
    # one French refusal (not a misleading balance message, nor a unique-constraint error).
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise FinanceError("Cette écriture est déjà annulée.", code="already_reversed")
    amount = entry.amount
    if incoming is not None:
        child = locked[incoming.envelope_id]
        free = balance(child.pk).available - earmarked(child, excluding=funded)
        if amount > free:
            raise FinanceError(
                f"Impossible d'annuler cette délégation : l'enveloppe {child} n'a plus que "
                f"{format_euros(free)} disponibles (le reste est délégué, engagé ou réservé à des dossiers).",
                code="beyond_available",
            )
        file = {"funded_type_id": entry.funded_type_id, "funded_id": entry.funded_id}
        reversal = LedgerEntry.objects.create(
            envelope=entry.envelope,
            kind=entry.kind,
            amount=-amount,
            reverses=entry,
            reason=reason,
            created_by=user,
            **file,
        )
        LedgerEntry.objects.create(
            envelope=child,
            kind=EntryKind.DELEGATION_IN,
            amount=-amount,
            reverses=incoming,
            counterpart=reversal,
            reason=reason,
            created_by=user,
            **file,
        )
        return reversal
    envelope = locked[entry.envelope_id]
    if entry.kind == EntryKind.ALLOCATION:
        _refuse_beyond_available(envelope, amount, "d'annuler l'ouverture de")
    elif entry.kind == EntryKind.COMMITMENT:
        # What remains of the commitment once its releases are counted; nothing may be paid on it.
        commitment_id = entry.commitment_id
        assert commitment_id is not None
        committed, paid = commitment_totals([commitment_id])[commitment_id]
        if paid > 0:
            raise FinanceError(
                f"Impossible d'annuler cet engagement : {format_euros(paid)} ont déjà été versés. "
                "Annulez d'abord les versements.",
                code="paid",
            )
        if committed <= 0:
            raise FinanceError("Cet engagement est entièrement libéré : rien à annuler.", code="already_reversed")
        amount = committed
    return LedgerEntry.objects.create(
        envelope=envelope,
        kind=entry.kind,
        amount=-amount,
        commitment=entry.commitment,
        tranche=entry.tranche,
        reverses=entry,
        reason=reason,
        created_by=user,
    )


def _reversed_event(actor: Any, entry: LedgerEntry, reversal: LedgerEntry, reason: str) -> None:
    record_event(
        actor=actor,
        verb="finance.reversed",
        target=entry.envelope,
        details={
            "écriture": entry.get_kind_display(),
            "montant": format_euros(-reversal.amount),
            "motif": reason,
        },
    )


@transaction.atomic
def reverse(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Cancel an opening of credits or a delegation by a reversal entry (never an edit), if the
    balances allow it. What belongs to a file (its commitment, payments, releases, the delegation
    made for it) is cancelled through the file's workflow only."""
    reason = _reason(reason, "de l'annulation")
    entry = _sent_side(entry)
    if entry.reverses_id is not None:
        raise FinanceError("Une annulation ne s'annule pas : passez une nouvelle écriture.", code="reversal")
    if entry.commitment_id is not None or entry.funded_type_id is not None:
        label = entry.commitment.label if entry.commitment is not None else str(entry.funded or "un dossier")
        raise FinanceError(
            f"Cette écriture appartient au dossier « {label} » : elle s'annule depuis le dossier, par son "
            "circuit de décision, pour que le dossier et l'argent restent d'accord.",
            code="through_workflow",
        )
    _allow(permissions.may_reverse(actor, entry), "Vous ne pouvez pas annuler cette écriture.")
    reversal = _reverse(entry, reason=reason, user=_user(actor))
    _reversed_event(actor, entry, reversal, reason)
    return reversal


# --- The money path of a funded file (PTAI, CTAI programming year) -------------------------------


def _file_key(funded: models.Model) -> dict[str, Any]:
    return {"funded_type": ContentType.objects.get_for_model(funded), "funded_id": str(funded.pk)}


def _path_to(campaign: Campaign, line: BudgetLine, department: Department) -> list[Envelope | dict[str, Any]]:
    """The envelopes from the national one down to the département's: those that exist, and for
    those to create, their scope. Through the région when the département's envelope receives from
    it, or when none exists yet and the région has an envelope of the line (the campaign's envelopes
    are organised by région there)."""
    national = Envelope.objects.filter(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL).first()
    if national is None:
        raise FinanceError(
            f"Aucun crédit {campaign.year} n'est ouvert sur la ligne {line.code} : ouvrez d'abord les crédits.",
            code="no_national_envelope",
        )
    own = Envelope.objects.filter(
        campaign=campaign, budget_line=line, level=EnvelopeLevel.DEPARTMENT, department=department
    ).first()
    if own is not None:
        parent = own.parent
        assert parent is not None, "a département's envelope receives from another (envelope_level_fits_scope)"
        return [national, own] if parent.level == EnvelopeLevel.NATIONAL else [national, parent, own]
    region = Envelope.objects.filter(
        campaign=campaign, budget_line=line, level=EnvelopeLevel.REGION, region_id=department.region_id
    ).first()
    target = {"level": EnvelopeLevel.DEPARTMENT, "department": department}
    return [national, target] if region is None else [national, region, target]


@transaction.atomic
def delegate_for_file(
    *,
    actor: Any,
    campaign: Campaign,
    line_code: str,
    department: Department,
    amount: Any,
    funded: models.Model,
    label: str,
    rules: dict[str, Any],
) -> list[LedgerEntry]:
    """The Ministère delegates exactly a file's granted amount from the national envelope of its line
    to its département's (through the région when the envelopes are organised so), each delegation
    linked to the file. The money is then held for the file on the département's envelope until its
    authorising officer commits it (`fund`). Returns the delegations sent, national first."""
    _allow(permissions.may_open_credits(actor), "Seul le Ministère délègue les crédits d'un dossier.")
    amount = parse_amount(amount)
    if line_code not in rules.get("budget_lines", []):
        raise FinanceError(
            f"La ligne {line_code} n'est pas ouverte pour la campagne {campaign.year}.", code="budget_line"
        )
    line = BudgetLine.objects.get(code=line_code)
    path = _path_to(campaign, line, department)
    existing = [step for step in path if isinstance(step, Envelope)]
    _lock(*existing)
    national = existing[0]
    _refuse_beyond_available(national, amount, "de déléguer")
    user = _user(actor)
    file = _file_key(funded)
    sent = []
    source = national
    for step in path[1:]:
        if isinstance(step, Envelope):
            child = step
        else:
            child, _ = Envelope.objects.get_or_create(
                campaign=campaign, budget_line=line, **step, defaults={"parent": source}
            )
            if child.parent_id != source.pk:
                raise FinanceError(
                    f"L'enveloppe {child} reçoit déjà ses crédits de {child.parent}.", code="other_parent"
                )
        out = LedgerEntry.objects.create(
            envelope=source, kind=EntryKind.DELEGATION_OUT, amount=amount, reason=label, created_by=user, **file
        )
        LedgerEntry.objects.create(
            envelope=child,
            kind=EntryKind.DELEGATION_IN,
            amount=amount,
            counterpart=out,
            reason=label,
            created_by=user,
            **file,
        )
        sent.append(out)
        source = child
    record_event(
        actor=actor,
        verb="finance.delegated_for_file",
        target=source,
        details={"montant": format_euros(amount), "depuis": str(national), "objet": label},
    )
    return sent


@transaction.atomic
def cancel_file_delegation(*, actor: Any, funded: models.Model, reason: str) -> list[LedgerEntry]:
    """Take back the credits delegated for a file and not committed (the département's hop first,
    then the région's): the money returns to the national envelope. Through the file's workflow."""
    _allow(permissions.may_open_credits(actor), "Seul le Ministère reprend les crédits délégués pour un dossier.")
    reason = _reason(reason, "de la reprise des crédits")
    sent = list(
        LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT, reverses__isnull=True, **_file_key(funded))
        .exclude(reversed_by__isnull=False)
        .select_related("envelope", "counterpart")
        .order_by("-pk")
    )
    if not sent:
        raise FinanceError("Aucun crédit n'a été délégué pour ce dossier.", code="nothing_delegated")
    reversals = [_reverse(_entry(out.pk), reason=reason, user=_user(actor), funded=funded) for out in sent]
    for out, reversal in zip(sent, reversals, strict=True):
        _reversed_event(actor, out, reversal, reason)
    return reversals


def advance_of(amount: Decimal, rules: dict[str, Any]) -> Decimal:
    """The advance paid at commitment: the campaign's `advance_rate` % (default 50 %), to the cent."""
    rate = Decimal(str(rules.get("advance_rate", "50")))
    return (amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def fund(
    *, actor: Any, envelope: Envelope, amount: Any, funded: models.Model, label: str, rules: dict[str, Any]
) -> Commitment:
    """Commit a file's credits on the département's envelope and pay the advance (the campaign's
    rate, kept in `rules`): a PTAI at `commit`, each line of a CTAI programming year at `commit`."""
    commitment = commit(actor=actor, envelope=envelope, amount=amount, funded=funded, label=label, rules=rules)
    advance = advance_of(parse_amount(amount), rules)
    if advance > 0:
        pay(actor=actor, commitment=commitment, amount=advance, tranche=Tranche.ADVANCE)
    return commitment


@transaction.atomic
def settle(*, actor: Any, commitment: Commitment, final: Any, reason: str) -> Decimal:
    """On the final report: pay the balance (the final amount spent - what was paid) and release what
    was committed and not spent. `final` None or blank: the whole commitment was spent. A final amount
    above the commitment, or below what was already paid, is refused (a recovery order is outside
    the platform). Returns the final amount."""
    committed, paid = commitment_totals([commitment.pk])[commitment.pk]
    amount = committed if final in (None, "") else parse_amount(final, allow_zero=True)
    if amount > committed:
        raise FinanceError(
            f"Le montant final ({format_euros(amount)}) dépasse le montant engagé ({format_euros(committed)}).",
            code="amount_above_committed",
        )
    if amount < paid:
        raise FinanceError(
            f"Le montant final ({format_euros(amount)}) est inférieur à ce qui a déjà été versé "
            f"({format_euros(paid)}) : un ordre de reversement est nécessaire.",
            code="amount_below_paid",
        )
    if amount > paid:
        pay(actor=actor, commitment=commitment, amount=amount - paid, tranche=Tranche.BALANCE)
    if amount < committed:
        release(
            actor=actor,
            commitment=commitment,
            amount=committed - amount,
            reason=f"{reason} : {format_euros(amount)} dépensés sur {format_euros(committed)} engagés.",
        )
    return amount


@transaction.atomic
def cancel_commitment(*, actor: Any, commitment: Commitment, reason: str) -> list[LedgerEntry]:
    """Cancel a file's commitment through its workflow: its payments are reversed (newest first),
    then what remains committed. The money goes back to the envelope (held again for the file when
    its credits were delegated for it)."""
    _allow(
        permissions.may_pay(actor, commitment),
        "Seul le préfet du département, ou l'agent qui a sa délégation de signature, annule un engagement.",
    )
    reason = _reason(reason, "de l'annulation de l'engagement")
    _lock(commitment.envelope)
    entries = list(
        LedgerEntry.objects.filter(
            commitment=commitment, kind__in=[EntryKind.PAYMENT, EntryKind.COMMITMENT], reverses__isnull=True
        )
        .exclude(reversed_by__isnull=False)
        .order_by("kind", "-pk")  # "commitment" < "payment": reversed after the payments below
    )
    payments = [e for e in entries if e.kind == EntryKind.PAYMENT]
    commitments = [e for e in entries if e.kind == EntryKind.COMMITMENT]
    if not commitments:
        raise FinanceError("Cet engagement est déjà annulé.", code="already_reversed")
    reversals = []
    for entry in [*payments, *commitments]:
        reversal = _reverse(_entry(entry.pk), reason=reason, user=_user(actor))
        _reversed_event(actor, entry, reversal, reason)
        reversals.append(reversal)
    return reversals


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None

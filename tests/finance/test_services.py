"""The money rules, one behaviour per test, as the Ministry's accountants would say them.

Credits are opened on the national envelope of a campaign and a budget line (F03: within the
campaign's national envelope), delegated down to régions and départements, committed to files
and paid in tranches (F03: never more than available, never paid beyond the commitment; F41: on
the budget line of the public: 104-15 réfugiés, 104-12 autres primo-arrivants). Every movement is
an entry of an append-only ledger; a correction is a reversal entry. A refused movement writes
nothing: no entry, no envelope, no commitment, no audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.enums import Role
from audit.models import Event
from core.formats import format_euros
from finance.balances import Balance, balance, commitment_totals
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Envelope, LedgerEntry
from finance.services import (
    FinanceError,
    cancel_commitment,
    delegate,
    open_national_envelope,
    pay,
    release,
    reverse,
)
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region
from tests.factories import make_user
from tests.finance.conftest import euros, national, trace

pytestmark = pytest.mark.django_db


def refused(action: Callable[[], Any], *, code: str | None = None, message: str | None = None) -> Exception:
    """Run a movement that must be refused — a FinanceError (the money does not allow it), or a
    PermissionDenied when `code` is "not_allowed" (the actor may not) —, and nothing written."""
    before = trace()
    with pytest.raises(PermissionDenied if code == "not_allowed" else FinanceError) as caught:
        action()
    assert trace() == before, "a refused movement left a trace"
    if code is not None and code != "not_allowed":
        assert caught.value.code == code  # type: ignore[attr-defined]
    if message is not None:
        assert list(getattr(caught.value, "messages", caught.value.args)) == [message]
    return caught.value


def last_event() -> Event:
    return Event.objects.order_by("-pk").first()  # type: ignore[return-value]


# --- Opening credits (F03) ----------------------------------------------------------------------


def test_f03_credits_opened_within_the_national_envelope_of_2021(campaign_2021, refugees, newcomers, ministry):
    """F03: the 9 000 000 € of 2021 may be opened on both lines, up to the last euro."""
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="6000000")
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=newcomers, amount="3 000 000,00")

    assert balance(national(campaign_2021, refugees).pk).received == euros(6_000_000)
    assert balance(national(campaign_2021, newcomers).pk).available == euros(3_000_000)
    event = last_event()
    assert (event.verb, event.actor, event.target) == (
        "finance.credits_opened",
        ministry,
        national(campaign_2021, newcomers),
    )
    assert event.details == {"montant": format_euros(Decimal("3000000"))}


def test_f03_opening_beyond_the_national_envelope_of_2021_is_refused(campaign_2021, refugees, newcomers, ministry):
    """F03: once 8 999 000 € are opened, 1 000,01 € more is refused, naming what is left."""
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="8999000")

    refused(
        lambda: open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=newcomers, amount="1000.01"),
        code="beyond_national_envelope",
        message=f"L'enveloppe nationale 2021 est de {format_euros(Decimal('9000000'))} : "
        f"il reste {format_euros(Decimal('1000'))} à ouvrir.",
    )
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=newcomers, amount="1000")


def test_f03_each_year_has_its_own_national_envelope(campaign_2021, campaign_2022, refugees, ministry):
    """F03: opening all of 2021 leaves 2022 untouched."""
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="9000000")
    open_national_envelope(actor=ministry, campaign=campaign_2022, budget_line=refugees, amount="9000000")

    assert balance(national(campaign_2022, refugees).pk).available == euros(9_000_000)


def test_a_line_not_open_for_the_campaign_is_refused(campaign_2021, refugees, ministry):
    campaign_2021.budget_lines.remove(refugees)

    refused(
        lambda: open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="1000"),
        message="La ligne 104-15 n'est pas ouverte pour la campagne 2021.",
    )


# --- Delegations --------------------------------------------------------------------------------


def test_delegation_national_to_region_to_department(national_refugees, auvergne_rhone_alpes, isere, ministry):
    """The national level delegates 300 000 € to Auvergne-Rhône-Alpes, whose préfet passes 120 000 € to Isère."""
    to_region = delegate(actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="300000")
    region = to_region.counterpart_of.envelope
    to_department = delegate(actor=ministry, source=region, department=isere, amount="120000")
    department = to_department.counterpart_of.envelope

    assert (region.level, region.region, region.parent) == (
        EnvelopeLevel.REGION,
        auvergne_rhone_alpes,
        national_refugees,
    )
    assert (department.level, department.department, department.parent) == (EnvelopeLevel.DEPARTMENT, isere, region)
    assert balance(national_refugees.pk) == Balance(received=euros(1_000_000), delegated=euros(300_000))
    assert balance(region.pk) == Balance(received=euros(300_000), delegated=euros(120_000))
    assert balance(region.pk).available == euros(180_000)
    assert balance(department.pk) == Balance(received=euros(120_000))
    event = last_event()
    assert (event.verb, event.actor, event.target) == ("finance.delegated", ministry, department)
    assert event.details == {"montant": format_euros(Decimal("120000")), "depuis": str(region)}


def test_delegation_writes_both_sides_of_the_movement(national_refugees, isere, ministry):
    out = delegate(actor=ministry, source=national_refugees, department=isere, amount="100000")
    incoming = out.counterpart_of

    assert (out.kind, out.envelope, out.amount) == (EntryKind.DELEGATION_OUT, national_refugees, euros(100_000))
    assert (incoming.kind, incoming.amount, incoming.counterpart) == (EntryKind.DELEGATION_IN, euros(100_000), out)


def test_delegation_national_to_department_directly(national_refugees, isere, ministry):
    envelope = delegate(
        actor=ministry, source=national_refugees, department=isere, amount="80000"
    ).counterpart_of.envelope

    assert (envelope.level, envelope.department, envelope.parent) == (
        EnvelopeLevel.DEPARTMENT,
        isere,
        national_refugees,
    )
    assert balance(envelope.pk).available == euros(80_000)


def test_a_second_delegation_adds_to_the_same_envelope(national_refugees, isere, ministry):
    delegate(actor=ministry, source=national_refugees, department=isere, amount="50000")
    delegate(actor=ministry, source=national_refugees, department=isere, amount="30000")

    envelope = Envelope.objects.get(department=isere)
    assert balance(envelope.pk).received == euros(80_000)


def test_a_region_delegates_only_to_its_own_departements(national_refugees, auvergne_rhone_alpes, gironde, ministry):
    region = delegate(
        actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="300000"
    ).counterpart_of.envelope

    refused(
        lambda: delegate(actor=ministry, source=region, department=gironde, amount="1000"),
        code="target",
        message="Une enveloppe régionale se délègue aux départements de la région Auvergne-Rhône-Alpes.",
    )
    other_region = Region.objects.get(code="75")
    refused(lambda: delegate(actor=ministry, source=region, region=other_region, amount="1000"), code="target")


def test_a_departement_cannot_delegate(isere_refugees, rhone, ministry, prefect_isere):
    """Nobody delegates a département's credits further, not even its préfet."""
    for actor in (ministry, prefect_isere):
        refused(
            lambda actor=actor: delegate(actor=actor, source=isere_refugees, department=rhone, amount="1000"),
            code="not_allowed",
        )


def test_a_delegation_names_a_region_or_a_departement(national_refugees, auvergne_rhone_alpes, isere, ministry):
    refused(lambda: delegate(actor=ministry, source=national_refugees, amount="1000"), code="target")
    refused(
        lambda: delegate(
            actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, department=isere, amount="1000"
        ),
        code="target",
    )


def test_a_departement_funded_by_its_region_is_not_funded_by_the_national_level(
    national_refugees, auvergne_rhone_alpes, isere, ministry
):
    region = delegate(
        actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="300000"
    ).counterpart_of.envelope
    delegate(actor=ministry, source=region, department=isere, amount="100000")

    refused(
        lambda: delegate(actor=ministry, source=national_refugees, department=isere, amount="1000"),
        code="other_parent",
    )


def test_never_delegate_more_than_available(national_refugees, isere, rhone, ministry):
    delegate(actor=ministry, source=national_refugees, department=isere, amount="999000")

    error = refused(
        lambda: delegate(actor=ministry, source=national_refugees, department=rhone, amount="1000.01"),
        code="beyond_available",
    )
    assert error.messages == [
        f"Impossible de déléguer {format_euros(Decimal('1000.01'))} : il reste "
        f"{format_euros(Decimal('1000'))} à engager sur l'enveloppe {national_refugees}."
    ]
    assert not Envelope.objects.filter(department=rhone).exists()


def test_a_region_delegates_no_more_than_it_received(national_refugees, auvergne_rhone_alpes, isere, ministry):
    region = delegate(
        actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="100000"
    ).counterpart_of.envelope

    refused(
        lambda: delegate(actor=ministry, source=region, department=isere, amount="100000.01"), code="beyond_available"
    )


# --- Commitments --------------------------------------------------------------------------------


def test_commit_within_available(isere_refugees, commit_on, prefect_isere, isere):
    commitment = commit_on(isere_refugees, "60000", label="PTAI Grenoble — cours de français")

    assert commitment.envelope == isere_refugees
    assert commitment.funded == isere
    assert commitment.created_by == prefect_isere
    assert commitment.rules["year"] == 2021
    assert commitment_totals([commitment.pk])[commitment.pk] == (euros(60_000), euros(0))
    assert balance(isere_refugees.pk) == Balance(received=euros(100_000), committed=euros(60_000))
    assert balance(isere_refugees.pk).available == euros(40_000)
    assert balance(isere_refugees.pk).to_pay == euros(60_000)
    event = last_event()
    assert (event.verb, event.actor, event.target) == ("finance.committed", prefect_isere, isere_refugees)
    assert event.details == {"montant": format_euros(Decimal("60000")), "objet": "PTAI Grenoble — cours de français"}


def test_commit_the_last_euro(isere_refugees, commit_on):
    commit_on(isere_refugees, "100000")

    assert balance(isere_refugees.pk).available == euros(0)


def test_commit_beyond_available_is_refused_with_the_amounts_in_french(isere_refugees, commit_on):
    commit_on(isere_refugees, "98765.66")

    refused(
        lambda: commit_on(isere_refugees, "1235"),
        code="beyond_available",
        message=f"Impossible d'engager {format_euros(Decimal('1235'))} : il reste "
        f"{format_euros(Decimal('1234.34'))} à engager sur l'enveloppe 2021 — 104-15 — Isère (38).",
    )
    assert format_euros(Decimal("1234.34")) == "1\u202f234,34\u00a0€"


def test_the_last_cent_can_be_committed(campaign_2021, refugees, ministry, commit_on, isere):
    """Balances are exact to the cent. SQLite sums decimals in floating point: 3 000 000 € opened,
    5 000,01 € opened, the 3 000 000 € reversed came back as 5000.00999999978 available, and
    committing the last 5 000,01 € was refused."""
    mistake = open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="3000000")
    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="5000.01")
    out = delegate(actor=ministry, source=mistake.envelope, department=isere, amount="3000000")
    reverse(actor=ministry, entry=out, reason="Erreur de saisie")
    delegate(actor=ministry, source=mistake.envelope, department=isere, amount="5000.01")
    reverse(actor=ministry, entry=mistake, reason="Erreur de saisie")
    department = out.counterpart_of.envelope

    assert balance(department.pk).available == Decimal("5000.01")
    commit_on(department, "5000.01")
    assert balance(department.pk).available == Decimal("0.00")


def test_credits_delegated_further_down_are_no_longer_available_to_commit(
    national_refugees, auvergne_rhone_alpes, isere, commit_on, ministry
):
    """Auvergne-Rhône-Alpes receives 100 000 € and passes 60 000 € on to Rhône: Isère can receive
    no more than the 40 000 € left, and commit no more than it received."""
    region = delegate(
        actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="100000"
    ).counterpart_of.envelope
    delegate(actor=ministry, source=region, department=Department.objects.get(code="69"), amount="60000")

    refused(lambda: delegate(actor=ministry, source=region, department=isere, amount="40000.01"))
    department = delegate(actor=ministry, source=region, department=isere, amount="40000").counterpart_of.envelope
    refused(lambda: commit_on(department, "40000.01"), code="beyond_available")
    commit_on(department, "40000")


def test_the_rules_of_the_year_are_kept_with_the_commitment(isere_refugees, commit_on, campaign_2021):
    commitment = commit_on(isere_refugees, "1000")
    campaign_2021.base_min = Decimal("1.00")
    campaign_2021.save()

    commitment.refresh_from_db()
    assert commitment.rules["base_min"] == "150000.00"


def test_f41_commitments_land_on_the_envelope_of_their_budget_line(
    campaign_2021, refugees, newcomers, ministry, commit_on
):
    """F41 / F43: Vienne's CTAI 2021 (Poitiers): 150 000 € socle for BPI on 104-15, 50 000 € complement
    for other newcomers on 104-12. Each line's balances move only with its own commitments."""
    vienne = Department.objects.get(code="86")
    envelopes = {}
    for line in (refugees, newcomers):
        open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=line, amount="1000000")
        out = delegate(actor=ministry, source=national(campaign_2021, line), department=vienne, amount="300000")
        envelopes[line.code] = out.counterpart_of.envelope
    untouched_newcomers = balance(envelopes["104-12"].pk)

    socle = commit_on(envelopes["104-15"], "150000", label="CTAI Poitiers 2021 — socle")
    assert balance(envelopes["104-12"].pk) == untouched_newcomers
    untouched_refugees = balance(envelopes["104-15"].pk)
    complement = commit_on(envelopes["104-12"], "50000", label="CTAI Poitiers 2021 — complément")

    assert socle.envelope.budget_line == refugees
    assert complement.envelope.budget_line == newcomers
    assert balance(envelopes["104-15"].pk) == untouched_refugees
    assert balance(envelopes["104-15"].pk).available == euros(150_000)
    assert balance(envelopes["104-12"].pk).available == euros(250_000)


def test_f41_one_line_cannot_fund_beyond_its_own_credits(
    campaign_2021, refugees, newcomers, isere, ministry, commit_on
):
    """F41: 104-12 credits left over do not make room on 104-15."""
    envelopes = {}
    for line, amount in ((refugees, "10000"), (newcomers, "500000")):
        open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=line, amount=amount)
        out = delegate(actor=ministry, source=national(campaign_2021, line), department=isere, amount=amount)
        envelopes[line.code] = out.counterpart_of.envelope

    refused(lambda: commit_on(envelopes["104-15"], "10000.01"), code="beyond_available")
    commit_on(envelopes["104-15"], "10000")


# --- Payments -----------------------------------------------------------------------------------


def test_pay_in_tranches_advance_then_balance(isere_refugees, commit_on, ministry, prefect_isere):
    commitment = commit_on(isere_refugees, "40000")

    advance = pay(actor=prefect_isere, commitment=commitment, amount="20000", tranche=Tranche.ADVANCE)
    solde = pay(actor=prefect_isere, commitment=commitment, amount="20000", tranche=Tranche.BALANCE)

    assert [(e.tranche, e.amount) for e in (advance, solde)] == [
        (Tranche.ADVANCE, euros(20_000)),
        (Tranche.BALANCE, euros(20_000)),
    ]
    assert commitment_totals([commitment.pk])[commitment.pk] == (euros(40_000), euros(40_000))
    assert balance(isere_refugees.pk) == Balance(received=euros(100_000), committed=euros(40_000), paid=euros(40_000))
    assert balance(isere_refugees.pk).to_pay == euros(0)
    event = last_event()
    assert (event.verb, event.actor, event.target) == ("finance.paid", prefect_isere, isere_refugees)
    assert event.details == {
        "montant": format_euros(Decimal("20000")),
        "tranche": "Solde",
        "objet": "PTAI Grenoble — cours de français",
    }


def test_never_pay_beyond_the_commitment(isere_refugees, commit_on, ministry, prefect_isere):
    commitment = commit_on(isere_refugees, "40000", label="PTAI Échirolles")
    pay(actor=prefect_isere, commitment=commitment, amount="20000")

    refused(
        lambda: pay(actor=prefect_isere, commitment=commitment, amount="20000.01", tranche=Tranche.BALANCE),
        code="beyond_commitment",
        message=f"Impossible de verser {format_euros(Decimal('20000.01'))} : il reste "
        f"{format_euros(Decimal('20000'))} à payer sur l'engagement « PTAI Échirolles ».",
    )


def test_a_payment_is_not_taken_from_the_available_credits(isere_refugees, commit_on, ministry, prefect_isere):
    """Paying settles what was committed: reste à engager does not move, reste à payer does."""
    commitment = commit_on(isere_refugees, "40000")
    pay(actor=prefect_isere, commitment=commitment, amount="15000")

    assert balance(isere_refugees.pk).available == euros(60_000)
    assert balance(isere_refugees.pk).to_pay == euros(25_000)


# --- Reversals ----------------------------------------------------------------------------------


def test_reverse_an_allocation(campaign_2021, refugees, ministry):
    entry = open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="500000")

    reversal = reverse(actor=ministry, entry=entry, reason="Erreur de saisie : 50 000 € et non 500 000 €")

    assert (reversal.kind, reversal.amount, reversal.reverses) == (EntryKind.ALLOCATION, euros(-500_000), entry)
    assert reversal.reason == "Erreur de saisie : 50 000 € et non 500 000 €"
    assert balance(entry.envelope_id) == Balance()
    assert entry.amount == euros(500_000)  # the entry itself is unchanged
    event = last_event()
    assert (event.verb, event.actor, event.target) == ("finance.reversed", ministry, entry.envelope)
    assert event.details == {
        "écriture": "Ouverture de crédits",
        "montant": format_euros(Decimal("500000")),
        "motif": "Erreur de saisie : 50 000 € et non 500 000 €",
    }


def test_a_reversed_allocation_gives_room_back_in_the_national_envelope(campaign_2021, refugees, ministry):
    """F03: the 9 000 000 € count what is opened net of reversals."""
    entry = open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="9000000")
    reverse(actor=ministry, entry=entry, reason="Doublon")

    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="9000000")


def test_an_allocation_already_delegated_cannot_be_reversed(campaign_2021, refugees, isere, ministry):
    entry = open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="100000")
    delegate(actor=ministry, source=entry.envelope, department=isere, amount="1")

    refused(lambda: reverse(actor=ministry, entry=entry, reason="Erreur"), code="beyond_available")


def test_reverse_a_delegation_reverses_both_sides(national_refugees, isere_refugees, ministry):
    out = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_OUT, envelope=national_refugees)

    reversal = reverse(actor=ministry, entry=out, reason="Mauvais département")

    reversed_in = reversal.counterpart_of
    assert (reversal.envelope, reversal.kind, reversal.amount) == (
        national_refugees,
        EntryKind.DELEGATION_OUT,
        euros(-100_000),
    )
    assert (reversed_in.envelope, reversed_in.kind, reversed_in.amount) == (
        isere_refugees,
        EntryKind.DELEGATION_IN,
        euros(-100_000),
    )
    assert reversed_in.reverses == out.counterpart_of
    assert balance(national_refugees.pk).available == euros(1_000_000)
    assert balance(isere_refugees.pk) == Balance()


def test_reverse_a_delegation_from_the_receiving_side(national_refugees, isere_refugees, ministry):
    incoming = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_IN, envelope=isere_refugees)

    reversal = reverse(actor=ministry, entry=incoming, reason="Mauvais département")

    assert reversal.reverses == incoming.counterpart
    assert balance(isere_refugees.pk) == Balance()
    assert balance(national_refugees.pk).delegated == euros(0)


def test_a_delegation_is_not_reversed_once_the_departement_committed_the_money(
    national_refugees, isere_refugees, commit_on, ministry
):
    commit_on(isere_refugees, "0.01")
    out = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_OUT, envelope=national_refugees)

    refused(
        lambda: reverse(actor=ministry, entry=out, reason="Trop délégué"),
        code="beyond_available",
        message=f"Impossible d'annuler cette délégation : l'enveloppe {isere_refugees} n'a plus que "
        f"{format_euros(Decimal('99999.99'))} disponibles (le reste est délégué, engagé ou réservé à des dossiers).",
    )


def test_a_delegation_is_not_reversed_once_the_region_passed_it_on(
    national_refugees, auvergne_rhone_alpes, isere, ministry
):
    out = delegate(actor=ministry, source=national_refugees, region=auvergne_rhone_alpes, amount="300000")
    delegate(actor=ministry, source=out.counterpart_of.envelope, department=isere, amount="1000")

    refused(lambda: reverse(actor=ministry, entry=out, reason="Erreur"), code="beyond_available")


def test_a_commitment_is_cancelled_through_its_file_not_from_the_ledger(isere_refugees, commit_on, ministry):
    """A commitment belongs to its file: the ledger refuses to reverse it, whoever asks; the file's
    workflow cancels it (`cancel_commitment`)."""
    commitment = commit_on(isere_refugees, "60000")
    entry = commitment.entries.get()

    for actor in (ministry, make_user(Role.ADMIN), make_user(Role.PREFECT, department=isere_refugees.department)):
        refused(
            lambda actor=actor: reverse(actor=actor, entry=entry, reason="Projet abandonné"), code="through_workflow"
        )


def test_cancel_a_commitment_reverses_its_payments_then_the_commitment(isere_refugees, commit_on, prefect_isere):
    commitment = commit_on(isere_refugees, "60000")
    advance = pay(actor=prefect_isere, commitment=commitment, amount="30000", tranche=Tranche.ADVANCE)

    reversals = cancel_commitment(actor=prefect_isere, commitment=commitment, reason="Erreur sur le montant")

    assert [(r.kind, r.amount, r.reverses) for r in reversals] == [
        (EntryKind.PAYMENT, euros(-30_000), advance),
        (EntryKind.COMMITMENT, euros(-60_000), commitment.entries.get(kind=EntryKind.COMMITMENT, reverses=None)),
    ]
    assert commitment_totals([commitment.pk])[commitment.pk] == (euros(0), euros(0))
    assert balance(isere_refugees.pk) == Balance(received=euros(100_000))
    refused(lambda: pay(actor=prefect_isere, commitment=commitment, amount="1"), code="beyond_commitment")


def test_a_partly_released_commitment_stays_cancellable_for_what_remains(isere_refugees, commit_on, prefect_isere):
    """A release is its own entry, not a reversal: the commitment can still be cancelled, for what
    remains once the release is counted."""
    commitment = commit_on(isere_refugees, "60000")
    release(actor=prefect_isere, commitment=commitment, amount="10000", reason="Action réduite")

    reversals = cancel_commitment(actor=prefect_isere, commitment=commitment, reason="Projet abandonné")

    assert [(r.kind, r.amount) for r in reversals] == [(EntryKind.COMMITMENT, euros(-50_000))]
    assert balance(isere_refugees.pk) == Balance(received=euros(100_000), released=euros(10_000))
    assert balance(isere_refugees.pk).available == euros(100_000)


@pytest.mark.parametrize("reason", ["", "   ", "\n"], ids=["empty", "spaces", "newline"])
def test_a_reversal_needs_a_reason(national_refugees, ministry, reason):
    entry = LedgerEntry.objects.get(envelope=national_refugees)

    refused(
        lambda: reverse(actor=ministry, entry=entry, reason=reason),
        code="reason",
        message="Indiquez le motif de l'annulation.",
    )


def test_a_reversal_cannot_be_reversed(national_refugees, ministry):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    reversal = reverse(actor=ministry, entry=entry, reason="Erreur")

    refused(
        lambda: reverse(actor=ministry, entry=reversal, reason="Annuler l'annulation"),
        code="reversal",
        message="Une annulation ne s'annule pas : passez une nouvelle écriture.",
    )


def test_the_reversal_of_a_delegation_cannot_be_reversed_from_either_side(national_refugees, isere_refugees, ministry):
    out = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_OUT, envelope=national_refugees)
    reversal = reverse(actor=ministry, entry=out, reason="Erreur")

    for side in (reversal, reversal.counterpart_of):
        refused(lambda side=side: reverse(actor=ministry, entry=side, reason="Encore"), code="reversal")


def test_an_entry_is_not_reversed_twice(national_refugees, ministry):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    reverse(actor=ministry, entry=entry, reason="Erreur")

    refused(
        lambda: reverse(actor=ministry, entry=entry, reason="Erreur"),
        code="already_reversed",
        message="Cette écriture est déjà annulée.",
    )


def test_a_delegation_is_not_reversed_twice_from_the_other_side(national_refugees, isere_refugees, ministry):
    out = LedgerEntry.objects.get(kind=EntryKind.DELEGATION_OUT, envelope=national_refugees)
    reverse(actor=ministry, entry=out, reason="Erreur")

    refused(lambda: reverse(actor=ministry, entry=out.counterpart_of, reason="Erreur"), code="already_reversed")


# --- The ledger is append-only -----------------------------------------------------------------


def test_a_ledger_entry_is_never_modified(national_refugees):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    entry.amount = Decimal("1.00")

    with pytest.raises(ValueError, match="never modified"):
        entry.save()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == euros(1_000_000)


def test_a_ledger_entry_is_never_deleted(national_refugees):
    entry = LedgerEntry.objects.get(envelope=national_refugees)

    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def _insert(**fields: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(**fields)


def test_the_database_refuses_a_negative_amount_that_reverses_nothing(national_refugees):
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("-1.00"))


def test_the_database_refuses_a_zero_amount(national_refugees):
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("0.00"))


def test_the_database_refuses_a_positive_reversal(national_refugees):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("1.00"), reverses=entry, reason="x")


def test_the_database_refuses_a_reversal_without_reason(national_refugees):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("-1.00"), reverses=entry)


def test_the_database_refuses_a_commitment_entry_without_commitment(national_refugees):
    _insert(envelope=national_refugees, kind=EntryKind.COMMITMENT, amount=Decimal("1.00"))


def test_the_database_refuses_a_payment_entry_without_commitment(national_refugees):
    _insert(envelope=national_refugees, kind=EntryKind.PAYMENT, amount=Decimal("1.00"))


def test_the_database_refuses_a_commitment_on_an_allocation(national_refugees, isere_refugees, commit_on):
    commitment = commit_on(isere_refugees, "1000")
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("1.00"), commitment=commitment)


def test_the_database_refuses_a_second_reversal_of_one_entry(national_refugees):
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    LedgerEntry.objects.create(
        envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("-1.00"), reverses=entry, reason="x"
    )
    _insert(envelope=national_refugees, kind=EntryKind.ALLOCATION, amount=Decimal("-1.00"), reverses=entry, reason="y")


def test_the_database_refuses_a_national_envelope_with_a_territory(campaign_2021, refugees, isere):
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(
            campaign=campaign_2021, budget_line=refugees, level=EnvelopeLevel.NATIONAL, department=isere
        )


def test_refused_movements_of_a_whole_scenario_leave_no_trace(
    campaign_2021: Campaign, refugees: BudgetLine, isere: Department, ministry: Any, commit_on: Any
) -> None:
    """A refusal in the middle of a day's work: the ledger is exactly as before it, the day goes on."""
    entry = open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="100000")
    envelope = entry.envelope
    for action in (
        lambda: open_national_envelope(
            actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="8900000.01"
        ),
        lambda: delegate(actor=ministry, source=envelope, department=isere, amount="100000.01"),
        lambda: delegate(actor=ministry, source=envelope, department=isere, amount="-5"),
        lambda: reverse(actor=ministry, entry=entry, reason=" "),
    ):
        refused(action)
    assert balance(envelope.pk) == Balance(received=euros(100_000))
    assert Event.objects.filter(verb__startswith="finance.").count() == 1


def test_release_gives_back_the_unspent_part_of_a_commitment(isere_refugees, commit_on, prefect_isere):
    """Closing a file below its commitment: the rest goes back to the envelope, never below what was
    paid. A release is its own kind of entry (not a reversal of the commitment)."""
    commitment = commit_on(isere_refugees, "40000")
    pay(actor=prefect_isere, commitment=commitment, amount="20000", tranche="advance")
    with pytest.raises(FinanceError, match="il reste 20"):
        release(actor=prefect_isere, commitment=commitment, amount="20000.01", reason="solde")
    with pytest.raises(FinanceError, match="motif"):
        release(actor=prefect_isere, commitment=commitment, amount="5000", reason=" ")

    entry = release(actor=prefect_isere, commitment=commitment, amount="8000", reason="Solde : 32 000 € dépensés")

    assert (entry.kind, entry.amount, entry.reverses, entry.commitment) == (
        EntryKind.RELEASE,
        euros(8_000),
        None,
        commitment,
    )
    assert balance(isere_refugees.pk).committed == Decimal("32000.00")
    assert balance(isere_refugees.pk).released == Decimal("8000.00")
    assert balance(isere_refugees.pk).available == Decimal("68000.00")
    assert commitment_totals([commitment.pk])[commitment.pk] == (euros(32_000), euros(20_000))
    release(actor=prefect_isere, commitment=commitment, amount="2000", reason="Solde complémentaire")
    with pytest.raises(FinanceError, match="il reste 10"):
        release(actor=prefect_isere, commitment=commitment, amount="10000.01", reason="encore")


# --- Held by the database and by the campaign ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_itself_refuses_to_update_or_delete_a_ledger_entry(national_refugees):
    """Append-only is held by PostgreSQL too: a raw UPDATE or DELETE, whatever door sends it, fails."""
    entry = LedgerEntry.objects.get(envelope=national_refugees)
    for sql in (
        f"UPDATE {LedgerEntry._meta.db_table} SET amount = 1 WHERE id = %s",
        f"DELETE FROM {LedgerEntry._meta.db_table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
        assert "ajout seul" in str(caught.value)
    assert LedgerEntry.objects.get(pk=entry.pk).amount == euros(1_000_000)


def test_f03_the_national_envelope_is_never_set_below_the_credits_opened(campaign_2021, refugees, ministry):
    """F03: 1 000 000 € are opened on 2021: the administrator may lower the 9 000 000 € down to that,
    not a cent below; the refusal names the amount, nothing changes."""
    from programme.services import update_campaign

    open_national_envelope(actor=ministry, campaign=campaign_2021, budget_line=refugees, amount="1000000")
    admin = make_user(Role.ADMIN)
    with pytest.raises(ValidationError) as caught:
        update_campaign(actor=admin, campaign=campaign_2021, values={"national_envelope": Decimal("999999.99")})
    assert caught.value.message_dict == {
        "national_envelope": [
            f"{format_euros(Decimal('1000000'))} sont déjà ouverts sur les enveloppes nationales 2021 : "
            "l'enveloppe nationale ne peut pas être inférieure."
        ]
    }
    campaign_2021.refresh_from_db()
    assert campaign_2021.national_envelope == euros(9_000_000)
    update_campaign(actor=admin, campaign=campaign_2021, values={"national_envelope": Decimal("1000000")})
    campaign_2021.refresh_from_db()
    assert campaign_2021.national_envelope == euros(1_000_000)

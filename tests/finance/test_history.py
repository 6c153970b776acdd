"""The money models keep a django-simple-history trail (every state a row went through, who and when),
on top of the audit events and the append-only ledger."""

from __future__ import annotations

import pytest
from simple_history.models import registered_models

from finance.enums import EntryKind
from finance.models import Commitment, Envelope, LedgerEntry
from finance.services import cancel_commitment, delegate, pay, release, reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Envelope, Commitment, LedgerEntry], ids=lambda m: m.__name__)
def test_the_money_models_are_registered_with_simple_history(model):
    assert model in registered_models.values()
    assert model.history.model.__name__ == f"Historical{model.__name__}"


def test_every_movement_leaves_a_history_row(isere_refugees, commit_on, prefect_isere):
    commitment = commit_on(isere_refugees, "10000")
    pay(actor=prefect_isere, commitment=commitment, amount="5000")
    release(actor=prefect_isere, commitment=commitment, amount="1000", reason="Solde")
    cancel_commitment(actor=prefect_isere, commitment=commitment, reason="Erreur de montant")

    created = LedgerEntry.history.filter(history_type="+")
    # opening, out, in, commitment, payment, release, then the reversals of the payment and the commitment
    assert created.count() == LedgerEntry.objects.count() == 8
    assert set(created.values_list("kind", flat=True)) == set(EntryKind.values)
    assert not LedgerEntry.history.exclude(history_type="+").exists()  # never modified, never deleted
    assert Envelope.history.filter(history_type="+").count() == Envelope.objects.count() == 2
    assert Commitment.history.filter(history_type="+", id=commitment.pk).get().label == commitment.label


def test_the_history_keeps_what_a_commitment_was(isere_refugees, commit_on):
    commitment = commit_on(isere_refugees, "10000", label="PTAI Grenoble")
    commitment.label = "PTAI Grenoble-Alpes-Métropole"
    commitment.save()

    labels = list(commitment.history.order_by("history_date").values_list("history_type", "label"))
    assert labels == [("+", "PTAI Grenoble"), ("~", "PTAI Grenoble-Alpes-Métropole")]


def test_a_reversal_keeps_its_reason_in_the_history(national_refugees, isere, ministry):
    out = delegate(actor=ministry, source=national_refugees, department=isere, amount="1000")
    reversal = reverse(actor=ministry, entry=out, reason="Mauvais département")

    row = LedgerEntry.history.get(id=reversal.pk)
    assert (row.amount, row.reason, row.reverses_id) == (-out.amount, "Mauvais département", out.pk)

"""`seed_demo` (issue 3, point 8): demo money for 2021 and 2022, written through the finance
services, and a second run changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from audit.models import Event
from contracts.models import Programming
from finance.balances import balances
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from projects.models import Project
from tests.demo.seeding import every_count

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_changes_nothing(db_access: dict[str, Any]) -> None:
    counts = db_access["counts"]
    assert counts["finance.LedgerEntry"] > 0
    assert "0 écriture(s) ajoutée(s)" in db_access["second"]
    assert every_count() == counts
    assert (LedgerEntry.objects.count(), Envelope.objects.count(), Event.objects.count()) == (
        counts["finance.LedgerEntry"],
        counts["finance.Envelope"],
        counts["audit.Event"],
    )


def test_demo_money_for_2021_and_2022(db_access: dict[str, Any]) -> None:
    national = Envelope.objects.filter(level=EnvelopeLevel.NATIONAL).select_related("campaign", "budget_line")
    opened = {
        (e.campaign.year, e.budget_line.code): b.received
        for e, b in zip(national, balances(e.pk for e in national).values(), strict=True)
    }
    assert opened == {
        (2021, "104-15"): Decimal("6000000.00"),
        (2021, "104-12"): Decimal("3000000.00"),
        (2022, "104-15"): Decimal("6000000.00"),
        (2022, "104-12"): Decimal("3000000.00"),
    }
    isere = Envelope.objects.get(campaign__year=2021, budget_line__code="104-15", department__code="38")
    assert isere.parent is not None and isere.parent.region is not None  # région → département
    rhone = Envelope.objects.get(campaign__year=2021, budget_line__code="104-15", department__code="69")
    assert rhone.parent is not None and rhone.parent.level == EnvelopeLevel.NATIONAL  # national → département
    regions = set(Envelope.objects.filter(level=EnvelopeLevel.REGION).values_list("region__name", flat=True))
    assert regions == {"Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine", "Occitanie", "Bourgogne-Franche-Comté"}
    # Commitments and payments come only with the demo PTAI (demo/projects.py, funded and closed files)
    # and the committed CTAI programmings (demo/ctai.py).
    funded_types = ContentType.objects.get_for_models(Project, Programming).values()
    assert (
        not LedgerEntry.objects.filter(kind__in=[EntryKind.COMMITMENT, EntryKind.PAYMENT])
        .exclude(commitment__funded_type__in=funded_types)
        .exists()
    )
    # Written by the services: each delegation of a block has its audit event, and so has each
    # delegation the Ministère made for a PTAI (one event for its one or two hops, national first).
    delegations = LedgerEntry.objects.filter(kind=EntryKind.DELEGATION_OUT)
    assert Event.objects.filter(verb="finance.delegated").count() == delegations.filter(funded_type=None).count()
    for_files = delegations.exclude(funded_type=None)
    assert for_files.filter(envelope__level=EnvelopeLevel.NATIONAL).count() == (
        Event.objects.filter(verb="finance.delegated_for_file").count()
    )
    assert set(for_files.values_list("funded_type", flat=True)) == {ContentType.objects.get_for_model(Project).pk}

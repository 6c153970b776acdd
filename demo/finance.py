"""Demo money for 2021 and 2022: credits opened on both budget lines, delegated to a few régions
and départements — through the finance services, so the ledger and the audit trail are real.

National → département directly for some (Rhône, Loire-Atlantique), région → département for
others (Isère, Puy-de-Dôme via Auvergne-Rhône-Alpes; Vienne via Nouvelle-Aquitaine; Côte-d'Or via
Bourgogne-Franche-Comté). No commitments yet: the CTAI programmings (demo/ctai.py) are committed on
these blocks. The PTAI (demo/projects.py) do not draw on them: at `delegate_credits` the Ministère
delegates each file's granted amount from what the national envelope of its line keeps — after the
blocks, 1 550 000 € on 104-15 and 1 750 000 € on 104-12 in 2021, 1 105 000 € and 1 625 000 € in 2022,
more than the demo PTAI are granted (785 000 € and 540 000 € in 2021, 175 000 € and 470 000 € in 2022).
Idempotent: nothing is done once the national envelopes of 2021 hold entries.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from finance.enums import EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from finance.services import delegate, open_national_envelope
from programme.models import BudgetLine, Campaign
from referential.models import Department, Region

REFUGEES, NEWCOMERS = "104-15", "104-12"

# (year, budget line) -> credits opened on the national envelope
OPENED = {
    (2021, REFUGEES): Decimal("6000000"),
    (2021, NEWCOMERS): Decimal("3000000"),
    (2022, REFUGEES): Decimal("6000000"),
    (2022, NEWCOMERS): Decimal("3000000"),
}
# (budget line, from, to, amount in 2021); "R:<code>" a région, "D:<code>" a département, "N" national.
# 2022 delegates 10 % more.
DELEGATIONS = [
    (REFUGEES, "N", "R:84", Decimal("1500000")),  # Auvergne-Rhône-Alpes
    (REFUGEES, "R:84", "D:38", Decimal("600000")),  # Isère
    (REFUGEES, "R:84", "D:63", Decimal("300000")),  # Puy-de-Dôme
    (REFUGEES, "N", "D:69", Decimal("500000")),  # Rhône, directly
    (REFUGEES, "N", "R:75", Decimal("800000")),  # Nouvelle-Aquitaine
    (REFUGEES, "R:75", "D:86", Decimal("400000")),  # Vienne
    (REFUGEES, "N", "R:76", Decimal("700000")),  # Occitanie
    (REFUGEES, "N", "R:27", Decimal("500000")),  # Bourgogne-Franche-Comté
    (REFUGEES, "R:27", "D:21", Decimal("250000")),  # Côte-d'Or
    (REFUGEES, "N", "D:44", Decimal("450000")),  # Loire-Atlantique, directly
    (NEWCOMERS, "N", "R:84", Decimal("600000")),
    (NEWCOMERS, "R:84", "D:38", Decimal("200000")),
    (NEWCOMERS, "N", "D:69", Decimal("200000")),
    (NEWCOMERS, "N", "R:75", Decimal("300000")),
    (NEWCOMERS, "R:75", "D:86", Decimal("150000")),
    (NEWCOMERS, "N", "D:44", Decimal("150000")),
]
GROWTH = {2021: Decimal("1"), 2022: Decimal("1.1")}
ACTOR = "ministere@demo.territoires-integration.fr"


def _envelope(campaign: Campaign, line: BudgetLine, where: str) -> Envelope:
    if where == "N":
        return Envelope.objects.get(campaign=campaign, budget_line=line, level=EnvelopeLevel.NATIONAL)
    level, code = where.split(":")
    if level == "R":
        return Envelope.objects.get(campaign=campaign, budget_line=line, region__code=code)
    return Envelope.objects.get(campaign=campaign, budget_line=line, department__code=code)


@transaction.atomic
def seed_demo_finance() -> int:
    """Open and delegate the demo credits; returns the number of ledger entries written (0 if done before)."""
    if LedgerEntry.objects.filter(envelope__campaign__year=2021, envelope__level=EnvelopeLevel.NATIONAL).exists():
        return 0
    before = LedgerEntry.objects.count()
    actor = User.objects.filter(email=ACTOR).first()
    lines = {line.code: line for line in BudgetLine.objects.all()}
    for year in sorted(GROWTH):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            continue
        for (opened_year, code), amount in OPENED.items():
            if opened_year == year:
                open_national_envelope(
                    actor=actor,
                    campaign=campaign,
                    budget_line=lines[code],
                    amount=amount,
                    reason=f"Crédits {year} (démonstration)",
                )
        for code, source, target, amount in DELEGATIONS:
            level, target_code = target.split(":")
            delegate(
                actor=actor,
                source=_envelope(campaign, lines[code], source),
                amount=(amount * GROWTH[year]).quantize(Decimal("1")),
                region=Region.objects.get(code=target_code) if level == "R" else None,
                department=Department.objects.get(code=target_code) if level == "D" else None,
                reason=f"Délégation {year} (démonstration)",
            )
    return LedgerEntry.objects.count() - before

"""PTAI factories on the real referential, with one Trait per state of the workflow.

    ProjectFactory()                      # a complete draft of Grenoble-Alpes-Métropole (Isère), 2021
    ProjectFactory(submitted=True)        # déposé, with its reference and the 2021 rules kept
    ProjectFactory(reviewed=True)         # instruit: a favorable avis by an instructeur
    ProjectFactory(credits_delegated=True) # crédits délégués (no ledger entry)
    ProjectFactory(funded=True)           # engagé (a bare commitment, no ledger entry)

The states' fields are set as the workflow would (reference, rules, avis, granted amount…) so the
database constraints hold; the journeys that move money go through `apply_transition` instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from finance.enums import EnvelopeLevel
from finance.models import Commitment, Envelope
from programme.enums import BudgetLineCode, ContributionKind, TargetPublic
from programme.models import BudgetLine, Campaign, Domain
from projects.enums import CarrierKind, Opinion, ProjectState, ResourceKind
from projects.models import AuthorityContribution, BudgetItem, Project, Resource
from tests.factories import UserFactory, grenoble_metropole, with_luhn_key

S = ProjectState


def campaign(year: int = 2021) -> Campaign:
    return Campaign.objects.get(year=year)


def bare_commitment(project: Any) -> Commitment:
    """A commitment row without ledger entries: enough for the state's constraint."""
    line = BudgetLine.objects.get(code=BudgetLineCode.NEWCOMERS)
    envelope, _ = Envelope.objects.get_or_create(
        campaign=project.campaign, budget_line=line, level=EnvelopeLevel.NATIONAL
    )
    return Commitment.objects.create(
        envelope=envelope, funded=project.department, label="PTAI (fabrique de test)", rules={}
    )


def _reviewed(**extra: Any) -> dict[str, Any]:
    return {
        "opinion": Opinion.FAVORABLE,
        "opinion_text": "Projet cohérent avec le diagnostic territorial.",
        "proposed_amount": Decimal("40000.00"),
        "opinion_by": factory.SubFactory(UserFactory),
        **extra,
    }


_SUBMITTED = {
    "reference": factory.Sequence(lambda n: f"PTAI-2021-38-{9000 + n}"),
    "rules": factory.LazyAttribute(lambda o: o.campaign.rules()),
    "submitted_at": factory.LazyFunction(lambda: datetime(2021, 3, 1, 9, 0, tzinfo=UTC)),
}


class ProjectFactory(DjangoModelFactory[Project]):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    campaign = factory.LazyFunction(campaign)
    lead_authority = factory.LazyFunction(grenoble_metropole)
    department = factory.LazyAttribute(lambda o: o.lead_authority.department)
    created_by = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Apprendre le français et accéder à ses droits n° {n}")
    summary = "Ateliers sociolinguistiques et permanences d'accès aux droits pour les primo-arrivants."
    target_public = TargetPublic.ALL
    planned_bpi = 40
    planned_newcomers = 60
    start_date = date(2021, 9, 1)
    end_date = date(2022, 8, 31)
    carrier_kind = CarrierKind.ASSOCIATION
    carrier_name = "Association d'accueil des primo-arrivants de l'Isère"
    siret = factory.Sequence(lambda n: with_luhn_key(f"{8_800_000_000_000 + n:013d}"))
    rna = "W381000001"
    diagnostic = "Diagnostic partagé avec les services de l'État en 2020."
    requested_amount = Decimal("50000.00")

    class Params:
        submitted = factory.Trait(state=S.SUBMITTED, **_SUBMITTED)
        in_review = factory.Trait(state=S.IN_REVIEW, **_SUBMITTED)
        correction_requested = factory.Trait(state=S.CORRECTION_REQUESTED, **_SUBMITTED)
        reviewed = factory.Trait(state=S.REVIEWED, **_SUBMITTED, **_reviewed())
        prefect_approved = factory.Trait(
            state=S.PREFECT_APPROVED, **_SUBMITTED, **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory))
        )
        prefect_refused = factory.Trait(
            state=S.PREFECT_REFUSED, **_SUBMITTED, **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory))
        )
        ministry_approved = factory.Trait(
            state=S.MINISTRY_APPROVED,
            granted_amount=Decimal("40000.00"),
            **_SUBMITTED,
            **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory)),
        )
        ministry_refused = factory.Trait(
            state=S.MINISTRY_REFUSED,
            **_SUBMITTED,
            **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory)),
        )
        credits_delegated = factory.Trait(
            state=S.CREDITS_DELEGATED,
            granted_amount=Decimal("40000.00"),
            **_SUBMITTED,
            **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory)),
        )
        funded = factory.Trait(
            state=S.FUNDED,
            granted_amount=Decimal("40000.00"),
            commitment=factory.LazyAttribute(bare_commitment),
            **_SUBMITTED,
            **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory)),
        )
        closed = factory.Trait(
            state=S.CLOSED,
            granted_amount=Decimal("40000.00"),
            commitment=factory.LazyAttribute(bare_commitment),
            **_SUBMITTED,
            **_reviewed(prefect_decision_by=factory.SubFactory(UserFactory)),
        )
        dismissed = factory.Trait(state=S.DISMISSED, **_SUBMITTED)
        withdrawn = factory.Trait(state=S.WITHDRAWN, **_SUBMITTED)

    @factory.post_generation
    def domains(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        codes = extracted if extracted is not None else ["formation-linguistique", "logement"]
        self.domains.set(Domain.objects.filter(code__in=codes))

    @factory.post_generation
    def budget(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The State request equals `requested_amount` (as `set_budget` keeps it); an expense; an engagement."""
        if not create or extracted is False:
            return
        Resource.objects.create(project=self, kind=ResourceKind.STATE_REQUEST, amount=self.requested_amount)
        Resource.objects.create(project=self, kind=ResourceKind.AUTHORITY_COFUNDING, amount=Decimal("20000.00"))
        BudgetItem.objects.create(project=self, nature="Animation des ateliers", amount=self.requested_amount + 20000)
        AuthorityContribution.objects.create(
            project=self, kind=ContributionKind.ROOM, description="Une salle de la maison des habitants, deux soirs."
        )

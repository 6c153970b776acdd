"""The request: what blocks its submission (F31, F32, F35, F40), its rules kept with the file,
drafts that only the applicant edits, and who sees which files."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.enums import Role
from programme.enums import ContributionKind, TargetPublic
from programme.models import Campaign
from programme.services import update_campaign
from projects.enums import ProjectState, ResourceKind
from projects.errors import TransitionError
from projects.models import AuthorityContribution, Project, Resource
from projects.services import apply_transition, create_draft, set_budget, set_contributions, update_draft
from projects.subject import findings
from referential.enums import AuthorityKind
from referential.models import Authority
from tests.factories import grenoble_metropole, make_user, metropole_de_lyon
from tests.projects.conftest import PERSONAS, euros, make_persona
from tests.projects.factories import ProjectFactory, bare_commitment
from tests.reporting.factories import accepted_final_report

pytestmark = pytest.mark.django_db


def refused_submit(project: Project, user) -> TransitionError:
    with pytest.raises(TransitionError) as caught:
        apply_transition(project=project, name="submit", user=user)
    assert Project.objects.get(pk=project.pk).state == ProjectState.DRAFT
    assert not project.transitions.exists()
    return caught.value


def test_f31_a_bpi_only_request_without_its_two_texts_cannot_be_submitted(people):
    project = ProjectFactory(target_public=TargetPublic.BPI_ONLY)
    error = refused_submit(project, people["agent_lead"])
    assert error.rule_ids == ["ptai.bpi_only.justification", "ptai.bpi_only.widening"]
    assert error.messages[0].startswith("Un projet réservé aux BPI doit être expressément justifié")

    update_draft(user=people["agent_lead"], project=project, bpi_justification="Aucune offre pour les BPI ici.")
    assert refused_submit(project, people["agent_lead"]).rule_ids == ["ptai.bpi_only.widening"]
    update_draft(user=people["agent_lead"], project=project, widening_perspective="Ouverture en 2022.")
    assert apply_transition(project=project, name="submit", user=people["agent_lead"]).state == "submitted"


def test_f35_a_request_without_engagement_of_the_collectivite_cannot_be_submitted(people):
    project = ProjectFactory()
    AuthorityContribution.objects.filter(project=project).delete()
    assert refused_submit(project, people["agent_lead"]).rule_ids == ["ptai.engagement.required"]
    set_contributions(
        user=people["agent_lead"],
        project=project,
        contributions=[(ContributionKind.STAFF, "Un agent à mi-temps.", None)],
    )
    assert apply_transition(project=project, name="submit", user=people["agent_lead"]).state == "submitted"


def test_f35_cofunding_needs_an_amount_and_every_engagement_a_description(people):
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        set_contributions(
            user=people["agent_lead"], project=project, contributions=[(ContributionKind.COFUNDING, "", None)]
        )
    with pytest.raises(ValidationError):
        set_contributions(
            user=people["agent_lead"],
            project=project,
            contributions=[(ContributionKind.COFUNDING, "Budget 2021.", None)],
        )


@pytest.mark.parametrize(("amount", "submitted"), [("0", False), ("0,01", True), ("1", True)])
def test_f32_no_minimum_amount_but_more_than_zero(amount, submitted, people):
    project = ProjectFactory(budget=False)
    AuthorityContribution.objects.create(project=project, kind=ContributionKind.ROOM, description="Une salle.")
    set_budget(
        user=people["agent_lead"],
        project=project,
        expenses=[("Animation", "1000")],
        resources=[(ResourceKind.STATE_REQUEST, "", amount)],
    )
    if submitted:
        assert apply_transition(project=project, name="submit", user=people["agent_lead"]).state == "submitted"
    else:
        assert refused_submit(project, people["agent_lead"]).rule_ids == ["ptai.amount.positive"]


@pytest.mark.parametrize(
    ("codes", "rule_ids"),
    [
        (["logement"], ["ptai.domains.min"]),
        (["sante", "emploi"], ["ptai.domains.mandatory"]),
        (["logement", "emploi"], []),
    ],
)
def test_f40_in_2022_two_domains_including_housing(codes, rule_ids, people):
    project = ProjectFactory(campaign=Campaign.objects.get(year=2022), domains=codes)
    if rule_ids:
        assert refused_submit(project, people["agent_lead"]).rule_ids == rule_ids
    else:
        assert apply_transition(project=project, name="submit", user=people["agent_lead"]).state == "submitted"


def test_2021_needs_one_domain_only(people):
    project = ProjectFactory(domains=["sante"])
    assert apply_transition(project=project, name="submit", user=people["agent_lead"]).rules["ptai_min_domains"] == 1


def test_a_file_keeps_the_2021_rules_after_campaign_2021_is_edited(people):
    """Submitted with one domain under the 2021 rules; the year is then edited to require two:
    the file is corrected and resubmitted with ITS rules, while a new draft gets today's."""
    project = apply_transition(project=ProjectFactory(domains=["sante"]), name="submit", user=people["agent_lead"])
    campaign = Campaign.objects.get(year=2021)
    update_campaign(actor=make_user(Role.ADMIN), campaign=campaign, values={"ptai_min_domains": 2})
    project = apply_transition(project=project, name="start_review", user=people["instructor_isere"])
    project = apply_transition(
        project=project, name="request_correction", user=people["instructor_isere"], reason="Précisez les dates."
    )
    project = apply_transition(project=project, name="resubmit", user=people["agent_lead"])
    assert project.state == ProjectState.IN_REVIEW
    assert project.rules["ptai_min_domains"] == 1

    draft = ProjectFactory(domains=["sante"])
    assert refused_submit(draft, people["agent_lead"]).rule_ids == ["ptai.domains.min"]


def test_findings_list_warnings_and_form_gaps_before_submission():
    project = ProjectFactory(diagnostic="", title="", carrier_name="", siret="")
    found = {f.rule_id: f.severity for f in findings(project)}
    assert found == {
        "ptai.diagnostic.advised": "warning",
        "ptai.cir": "warning",
        "ptai.form.title": "blocking",
        "ptai.form.carrier": "blocking",
    }


def test_f07_the_ptai_records_its_articulation_with_the_cir(people):
    """F07: a PTAI says how it complements the contrat d'intégration républicaine; without it, a
    warning (never blocking), as for a CTAI action."""
    project = ProjectFactory()
    assert [f.message for f in findings(project) if f.rule_id == "ptai.cir"] == [
        "Indiquez comment le projet complète le contrat d'intégration républicaine (CIR) des personnes accompagnées."
    ]
    assert not [f for f in findings(project) if f.severity == "blocking"]
    project = update_draft(
        user=people["agent_lead"],
        project=project,
        cir_link="Les ateliers prolongent les 600 heures de français du CIR et orientent vers l'OFII.",
    )
    assert project.cir_link.startswith("Les ateliers prolongent")
    assert "ptai.cir" not in {f.rule_id for f in findings(project)}


# --- Drafts -------------------------------------------------------------------------------------


def test_only_an_agent_of_the_lead_creates_its_draft(people):
    campaign = Campaign.objects.get(year=2021)
    for name in ("agent_other", "agent_partner", "instructor_isere", "ministry"):
        with pytest.raises(PermissionDenied):
            create_draft(user=people[name], lead=grenoble_metropole(), campaign=campaign, title="Projet")


def test_a_region_lead_chooses_its_instructing_departement_first_by_code_by_default():
    region = Authority.objects.get(kind=AuthorityKind.REGION, region__code="84")
    agent = make_user(Role.AGENT, authority=region)
    campaign = Campaign.objects.get(year=2021)
    project = create_draft(user=agent, lead=region, campaign=campaign, title="Projet régional")
    assert project.department.code == "01"
    isere = project.department.region.departments.get(code="38")
    assert create_draft(user=agent, lead=region, campaign=campaign, department=isere).department == isere
    with pytest.raises(TransitionError):
        create_draft(
            user=agent,
            lead=region,
            campaign=campaign,
            department=metropole_de_lyon().department.__class__.objects.get(code="33"),
        )


def test_the_draft_is_editable_only_in_draft_or_correction_by_the_applicant(people, voiron):
    project = ProjectFactory(in_review=True)
    with pytest.raises(TransitionError) as caught:
        update_draft(user=people["agent_lead"], project=project, title="Nouveau titre")
    assert caught.value.code == "not_editable"
    correction = ProjectFactory(correction_requested=True)
    correction.partners.add(voiron)
    assert update_draft(user=people["agent_partner"], project=correction, title="Corrigé").title == "Corrigé"
    with pytest.raises(PermissionDenied):
        update_draft(user=people["agent_other"], project=correction, title="Intrus")


def test_the_siret_is_checked_with_its_key_and_the_rna_format(people):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as caught:
        update_draft(user=people["agent_lead"], project=project, siret="123 456 789 00010")
    assert "clé de contrôle" in str(caught.value.message_dict["siret"])
    with pytest.raises(ValidationError):
        update_draft(user=people["agent_lead"], project=project, rna="X123")
    assert update_draft(user=people["agent_lead"], project=project, siret="732 829 320 00074").siret == "73282932000074"


def test_end_before_start_is_refused(people):
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        update_draft(user=people["agent_lead"], project=project, end_date=project.start_date.replace(year=2020))


def test_set_budget_keeps_the_requested_amount_in_sync(people):
    project = ProjectFactory()
    project = set_budget(
        user=people["agent_lead"],
        project=project,
        expenses=[("Animation", "90000")],
        resources=[
            (ResourceKind.STATE_REQUEST, "", "30 000,50"),
            (ResourceKind.STATE_REQUEST, "", "20000"),
            (ResourceKind.OTHER_COFUNDER, "CAF de l'Isère", "40000"),
        ],
    )
    assert project.requested_amount == Decimal("50000.50")
    assert Project.objects.get(pk=project.pk).requested_amount == project.compute_requested_amount()
    # The former lines stay in the history (deleted), the new ones are recorded (created).
    assert Resource.history.filter(project_id=project.pk, history_type="-").count() == 2
    assert (
        Resource.history.filter(
            project_id=project.pk, history_type="+", kind=ResourceKind.STATE_REQUEST, amount=Decimal("20000")
        ).count()
        == 1
    )


# --- Database constraints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"granted_amount": Decimal("1000")},  # granted only once the Ministère approved
        {"ministry_approved": True, "granted_amount": Decimal("50000.01")},  # above the request
        {"ministry_approved": True, "granted_amount": None},
        {"submitted": True, "reference": ""},
        {"start_date": None, "end_date": None, "funded": True, "commitment": None},
    ],
)
def test_the_database_ties_fields_to_the_state(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(**values)


def test_the_database_refuses_the_same_person_for_avis_and_decision():
    project = ProjectFactory(reviewed=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(prefect_decision_by=project.opinion_by)


# --- Reading ------------------------------------------------------------------------------------

VISIBLE = {
    "agent_lead": True,
    "agent_partner": True,  # F45
    "agent_other": False,
    "instructor_isere": True,
    "instructor_rhone": False,
    "prefect_isere": True,
    "prefect_region": True,
    "prefect_rhone": False,
    "diair": True,
    "ministry": True,
    "admin": True,
    "operator": False,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_for_user_scopes_the_files(persona, voiron):
    project = ProjectFactory(submitted=True)
    project.partners.add(voiron)
    assert Project.objects.for_user(make_persona(persona)).filter(pk=project.pk).exists() is VISIBLE[persona]


def test_with_money_annotates_without_a_query_per_row(people, national_2021, django_assert_num_queries):
    """Committed net of what was released, paid: from the ledger, in the list's two queries."""
    from projects.services import apply_transition
    from tests.projects.test_journey_and_money import TO_FUNDED, walk

    funded = walk(ProjectFactory(), people, *TO_FUNDED)
    closed = walk(ProjectFactory(), people, *TO_FUNDED)
    accepted_final_report(closed)
    apply_transition(project=closed, name="close", user=people["prefect_isere"], amount="25000")
    for _ in range(3):
        ProjectFactory(funded=True)
    with django_assert_num_queries(2):
        rows = list(Project.objects.with_money().for_list().order_by("pk"))
    assert rows[0].pk == funded.pk
    assert (rows[0].committed_amount, rows[0].paid_amount) == (euros(40000), euros(20000))
    assert (rows[1].committed_amount, rows[1].paid_amount) == (euros(25000), euros(25000))
    assert rows[2].committed_amount == euros(0)


def test_bare_commitment_helper_is_only_for_state_traits():
    assert bare_commitment(ProjectFactory()).entries.count() == 0


def test_no_ptai_before_the_2021_campaign(db: None) -> None:
    """The PTAI came with the 2021 programme: the 2019-2020 campaigns (first CTAIR wave) take none."""
    from tests.factories import grenoble_metropole, make_user

    base = Campaign.objects.get(year=2021)
    values = {f.name: getattr(base, f.name) for f in Campaign._meta.concrete_fields if f.name not in ("id", "year")}
    old = Campaign.objects.create(year=2019, **values)
    agent = make_user("agent", authority=grenoble_metropole())
    with pytest.raises(TransitionError, match="depuis la campagne 2021"):
        create_draft(user=agent, lead=grenoble_metropole(), campaign=old, title="Trop tôt")

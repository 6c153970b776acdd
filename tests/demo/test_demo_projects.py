"""`seed_demo` creates the demo PTAI (issue 4, « Demo »): every state in every demo département, seen
by each demo State account in its own scope, the flyer's examples (F44, F45), real money on the
right line — delegated by the Ministère from the national envelope for each file, committed and
paid by the préfet on the département's envelope — and a second run changes nothing.

One seed for the module (the run takes a few seconds): the tests only read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Sum

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, OCCITANIE_ACCOUNTS
from demo.projects import DEMO_FILES, THEMES, demo_siret
from finance.balances import balance
from finance.enums import EntryKind, EnvelopeLevel, Tranche
from finance.models import Envelope, LedgerEntry
from programme.enums import TargetPublic
from projects.enums import FUNDED_STATES, CarrierKind, ProjectState, ResourceKind
from projects.models import Project, ProjectTransition
from projects.subject import findings
from referential.enums import AuthorityKind, EpciNature
from tests.demo.seeding import every_count

# The test database is set up only for the aliases the session's tests are marked with: without
# this mark, this module run alone would seed the developer's db.sqlite3.
pytestmark = pytest.mark.django_db

ALL_STATES = set(ProjectState.values)
DELEGATED_STATES = (ProjectState.CREDITS_DELEGATED, *FUNDED_STATES)
STATE_ROLES = {Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN}


def states_in(department: str) -> set[str]:
    return set(Project.objects.filter(department__code=department).values_list("state", flat=True))


def test_summary_and_second_run_changes_nothing(db_access: dict[str, Any]) -> None:
    assert len(ALL_STATES) == 14
    assert (
        "Projets de démonstration : 77 créé(s) (14 états, départements 21, 31, 38, 44, 63, 69)." in db_access["first"]
    )
    for account in OCCITANIE_ACCOUNTS:  # listed after the PTAI, as the CTAI demo's accounts
        assert f"{account.address}\n" in db_access["first"].split("Projets de démonstration")[1]
    assert "Projets de démonstration : 0 créé(s), déjà présents." in db_access["second"]
    assert every_count() == db_access["counts"]
    assert db_access["counts"]["projects.Project"] == len(DEMO_FILES)


@pytest.mark.parametrize("department", ["38", "69", "63", "44", "21"])
def test_every_state_in_each_demo_department(db_access: dict[str, Any], department: str) -> None:
    assert states_in(department) == ALL_STATES


def test_both_years_and_the_2022_rule(db_access: dict[str, Any]) -> None:
    assert set(Project.objects.values_list("campaign__year", flat=True)) == {2021, 2022}
    for project in Project.objects.filter(campaign__year=2022).prefetch_related("domains"):
        codes = {d.code for d in project.domains.all()}
        assert "logement" in codes and len(codes) >= 2, project


def test_each_demo_state_account_finds_every_state_in_its_scope(db_access: dict[str, Any]) -> None:
    state_accounts = [a for a in DEMO_ACCOUNTS if a.role in STATE_ROLES]
    assert len(state_accounts) >= 12
    for account in state_accounts:
        user = User.objects.get(email=account.address)
        visible = Project.objects.for_user(user)
        assert set(visible.values_list("state", flat=True)) == ALL_STATES, account.email
        if account.scope.startswith("dep:"):
            assert set(visible.values_list("department__code", flat=True)) == {account.scope[4:]}


def test_each_demo_agent_finds_its_files(db_access: dict[str, Any]) -> None:
    for account in [*DEMO_ACCOUNTS, *OCCITANIE_ACCOUNTS]:
        if account.role == Role.AGENT:
            user = User.objects.get(email=account.address)
            assert Project.objects.for_user(user).exists(), account.email


def test_the_occitanie_accounts_instruct_and_fund_its_file(db_access: dict[str, Any]) -> None:
    """The Région's agent files it, the instructeur of Haute-Garonne instructs it, the préfet of
    Haute-Garonne (a CTAI demo account, seeded first by the PTAI demo) approves and commits it."""
    occitanie = Project.objects.get(lead_authority__kind=AuthorityKind.REGION, lead_authority__insee_code="76")
    actors = dict(occitanie.transitions.values_list("transition", "actor__email"))
    domain = "@demo.territoires-integration.fr"
    assert actors == {
        "submit": f"agent.occitanie{domain}",
        "start_review": f"instructeur.haute-garonne{domain}",
        "give_opinion": f"instructeur.haute-garonne{domain}",
        "prefect_approve": f"prefet.haute-garonne{domain}",
        "ministry_approve": f"ministere{domain}",
        "delegate_credits": f"ministere{domain}",
        "commit": f"prefet.haute-garonne{domain}",
    }
    for email in ("agent.occitanie", "instructeur.haute-garonne", "prefet.haute-garonne"):
        user = User.objects.get(email=f"{email}{domain}")
        assert user.check_password(DEMO_PASSWORD), email
        assert list(Project.objects.for_user(user)) == [occitanie], email
    assert {a.address for a in OCCITANIE_ACCOUNTS}.isdisjoint(a.address for a in DEMO_ACCOUNTS)


# The authorising officer of each instructing département: its préfet commits the PTAI (F44's
# Occitanie file: the préfet of Haute-Garonne, the région's préfecture).
PREFECTS_OF = {
    "21": "prefet.cote-d-or",
    "31": "prefet.haute-garonne",
    "38": "prefet.isere",
    "44": "prefet.loire-atlantique",
    "63": "prefet.puy-de-dome",
    "69": "prefet.rhone",
}


def file_delegations(project: Project) -> list[LedgerEntry]:
    """The delegations the Ministère made for the file, national first (none reversed)."""
    return list(
        LedgerEntry.objects.filter(
            kind=EntryKind.DELEGATION_OUT,
            funded_type=ContentType.objects.get_for_model(Project),
            funded_id=str(project.pk),
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .select_related("envelope__budget_line", "envelope__region", "counterpart_of__envelope")
        .order_by("pk")
    )


def assert_delegated_to_its_department(project: Any, line: str) -> Envelope:
    """Exactly the granted amount, from the national envelope of the file's campaign and line down to
    its département's (through its région's when the envelopes are so organised), each entry linked
    to the file. Returns the département's envelope."""
    sent = file_delegations(project)
    assert 1 <= len(sent) <= 2, project
    national = sent[0].envelope
    assert national.level == EnvelopeLevel.NATIONAL and national.campaign_id == project.campaign_id, project
    assert national.budget_line.code == line, project
    received = [out.counterpart_of for out in sent]
    for out, into in zip(sent, received, strict=True):
        assert out.amount == into.amount == project.granted_amount, project
        assert into.kind == EntryKind.DELEGATION_IN and into.funded_id == str(project.pk), project
    for into, next_out in zip(received, sent[1:], strict=False):
        assert into.envelope_id == next_out.envelope_id, project  # the région passes it on
        assert next_out.envelope.level == EnvelopeLevel.REGION
        assert next_out.envelope.region_id == project.department.region_id
    envelope = received[-1].envelope
    assert envelope.level == EnvelopeLevel.DEPARTMENT and envelope.department_id == project.department_id, project
    assert envelope.campaign_id == project.campaign_id and envelope.parent_id == sent[-1].envelope_id, project
    return envelope


def assert_funded_on_its_department(project: Any, line: str) -> None:
    """Committed by the préfet on the instructing département's envelope of `line`, where the
    Ministère delegated the granted amount for it."""
    assert project.state in FUNDED_STATES, project
    envelope = assert_delegated_to_its_department(project, line)
    assert project.commitment.envelope_id == envelope.pk, project
    assert project.commitment.envelope.budget_line.code == line, project
    commit = project.transitions.get(transition="commit")
    assert commit.actor.email == f"{PREFECTS_OF[project.department.code]}@demo.territoires-integration.fr"


def test_f44_the_flyers_examples(db_access: dict[str, Any]) -> None:
    """F44: the flyer's five examples of actions funded in 2020, each as the flyer gives it (who,
    what, for whom, how much), funded on the first campaign of the programme — the BPI-only ones on
    104-15, the others on 104-12 — committed on the instructing département's envelope, where the
    Ministère delegated exactly the granted amount for the file."""
    funded = Project.objects.with_money().select_related(
        "lead_authority", "department", "commitment__envelope__budget_line"
    )

    # Puy-de-Dôme: a commune, a mental health care unit for BPI, 100 000 €.
    clermont = funded.get(
        lead_authority__kind=AuthorityKind.COMMUNE,
        lead_authority__insee_code="63113",
        title__startswith="Structure de soins spécialisée en santé mentale",
    )
    assert "parcours d'exil traumatiques" in clermont.summary
    assert clermont.lead_authority.name == "Clermont-Ferrand" and clermont.department.code == "63"
    assert clermont.requested_amount == clermont.granted_amount == Decimal("100000.00")
    assert clermont.target_public == TargetPublic.BPI_ONLY
    assert clermont.bpi_justification and clermont.widening_perspective
    assert clermont.state == ProjectState.FUNDED and clermont.campaign.year == 2021
    assert clermont.committed_amount == Decimal("100000.00") and clermont.paid_amount == Decimal("50000.00")
    assert_funded_on_its_department(clermont, "104-15")

    # Côte-d'Or: a métropole, the personalised support of BPI and the partners' cooperation, 300 000 €.
    dijon = funded.get(lead_authority__siren="242100410", title__startswith="Accompagnement personnalisé")
    assert dijon.lead_authority.epci_nature == EpciNature.METRO and dijon.department.code == "21"
    assert "nouvel environnement" in dijon.summary and "coopèrent" in dijon.summary
    assert dijon.requested_amount == dijon.granted_amount == Decimal("300000.00")
    assert dijon.target_public == TargetPublic.BPI_ONLY
    assert dijon.bpi_justification and dijon.widening_perspective
    assert dijon.state == ProjectState.FUNDED and dijon.campaign.year == 2021
    assert dijon.committed_amount == Decimal("300000.00") and dijon.paid_amount == Decimal("150000.00")
    assert_funded_on_its_department(dijon, "104-15")

    # Isère: a métropole, a pre-qualifying course for home care assistants, for BPI, 20 000 €.
    auxiliaire = funded.get(lead_authority__siren="200040715", title__contains="auxiliaire de vie")
    assert auxiliaire.lead_authority.epci_nature == EpciNature.METRO and auxiliaire.department.code == "38"
    assert "alternant formation linguistique et immersion" in auxiliaire.summary
    assert auxiliaire.requested_amount == auxiliaire.granted_amount == Decimal("20000.00")
    assert auxiliaire.target_public == TargetPublic.BPI_ONLY
    assert auxiliaire.bpi_justification and auxiliaire.widening_perspective
    assert auxiliaire.state == ProjectState.CLOSED and auxiliaire.campaign.year == 2021
    assert_funded_on_its_department(auxiliaire, "104-15")

    # Loire-Atlantique: a commune, newcomers settling in a semi-rural employment area, 50 000 €.
    chateaubriant = funded.get(
        lead_authority__kind=AuthorityKind.COMMUNE,
        lead_authority__insee_code="44036",
        title__startswith="Installation de nouveaux arrivants",
    )
    assert "semi-rural" in chateaubriant.summary and "bassin d'emploi" in chateaubriant.summary
    assert chateaubriant.requested_amount == chateaubriant.granted_amount == Decimal("50000.00")
    assert chateaubriant.target_public == TargetPublic.ALL
    assert chateaubriant.state == ProjectState.CLOSED and chateaubriant.campaign.year == 2021
    assert chateaubriant.committed_amount == chateaubriant.paid_amount == Decimal("50000.00")
    assert_funded_on_its_department(chateaubriant, "104-12")

    # Occitanie (F45): the conseil régional leads, two départements and three métropoles are its
    # partners, one network of language platforms, 420 000 €, instructed in Haute-Garonne.
    occitanie = funded.get(lead_authority__kind=AuthorityKind.REGION, lead_authority__insee_code="76")
    assert occitanie.lead_authority.name == "Région Occitanie"
    assert "plateformes d'accueil, d'évaluation et d'orientation linguistique" in occitanie.title
    partners = {(p.kind, p.insee_code or p.siren): p for p in occitanie.partners.all()}
    assert set(partners) == {
        (AuthorityKind.DEPARTEMENT, "31"),
        (AuthorityKind.DEPARTEMENT, "34"),
        (AuthorityKind.EPCI, "243100518"),
        (AuthorityKind.EPCI, "243400017"),
        (AuthorityKind.EPCI, "200027183"),
    }
    assert partners[(AuthorityKind.DEPARTEMENT, "31")].name == "Département de la Haute-Garonne"
    assert partners[(AuthorityKind.DEPARTEMENT, "34")].name == "Département de l'Hérault"
    assert partners[(AuthorityKind.EPCI, "243100518")].name == "Toulouse Métropole"
    assert partners[(AuthorityKind.EPCI, "243400017")].name == "Montpellier Méditerranée Métropole"
    # Perpignan Méditerranée Métropole is, in law, a communauté urbaine.
    assert partners[(AuthorityKind.EPCI, "200027183")].name.endswith("Perpignan Méditerranée Métropole")
    assert [p.epci_nature for _, p in sorted(partners.items()) if p.kind == AuthorityKind.EPCI] == [
        EpciNature.CU,
        EpciNature.METRO,
        EpciNature.METRO,
    ]
    assert set(occitanie.resources.filter(kind=ResourceKind.AUTHORITY_COFUNDING).values_list("funder", flat=True)) == {
        "Région Occitanie",
        *(p.name for p in partners.values()),
    }
    # F45: an agent of a partner collectivité finds the file as well (agent.toulouse, a CTAI demo account).
    toulouse = User.objects.get(email="agent.toulouse@demo.territoires-integration.fr")
    assert list(Project.objects.for_user(toulouse).filter(state__in=FUNDED_STATES)) == [occitanie]
    assert occitanie.department.code == "31"  # the région's préfecture instructs it
    assert occitanie.requested_amount == occitanie.granted_amount == Decimal("420000.00")
    assert occitanie.target_public == TargetPublic.ALL
    assert occitanie.state == ProjectState.FUNDED and occitanie.campaign.year == 2021
    assert occitanie.committed_amount == Decimal("420000.00") and occitanie.paid_amount == Decimal("210000.00")
    assert_funded_on_its_department(occitanie, "104-12")


def test_funded_and_closed_files_have_their_money_on_the_right_line(db_access: dict[str, Any]) -> None:
    funded = Project.objects.filter(state__in=FUNDED_STATES).with_money()
    assert funded.count() >= 10
    rows: list[Any] = list(
        funded.select_related(
            "commitment__envelope__budget_line", "commitment__envelope__department", "department", "campaign"
        )
    )
    for project in rows:
        envelope = project.commitment.envelope
        line = "104-15" if project.target_public == TargetPublic.BPI_ONLY else "104-12"
        assert envelope.budget_line.code == line, project
        assert envelope.department_id == project.department_id
        assert envelope.campaign_id == project.campaign_id
        assert_funded_on_its_department(project, line)
        if project.state == ProjectState.FUNDED:
            assert project.committed_amount == project.granted_amount
        else:  # closed: what was not spent went back to the envelope
            assert project.committed_amount == project.paid_amount <= project.granted_amount
        tranches = set(
            LedgerEntry.objects.filter(commitment=project.commitment, kind=EntryKind.PAYMENT).values_list(
                "tranche", flat=True
            )
        )
        if project.state == ProjectState.FUNDED:
            assert tranches == {Tranche.ADVANCE}
            assert project.paid_amount == project.granted_amount / 2
        else:
            assert tranches == {Tranche.ADVANCE, Tranche.BALANCE}
            closing = project.transitions.get(transition="close")  # settled by the préfet too
            assert closing.actor.email == f"{PREFECTS_OF[project.department.code]}@demo.territoires-integration.fr"
    auxiliaire: Any = funded.get(title__contains="auxiliaire de vie")
    assert auxiliaire.paid_amount == Decimal("18500.00")  # closed below the commitment of 20 000 €
    assert auxiliaire.committed_amount == Decimal("18500.00")  # the unspent 1 500 € were released
    released = LedgerEntry.objects.get(commitment=auxiliaire.commitment, kind=EntryKind.RELEASE)
    assert released.amount == Decimal("1500.00")


def test_credits_delegated_files_wait_for_the_prefect(db_access: dict[str, Any]) -> None:
    """The Ministère delegated the granted amount to the département, nothing is committed yet: one
    such file in each demo département, on 104-12. Puy-de-Dôme and Côte-d'Or had no 104-12 credits:
    the delegation opened their envelope of that line, under the région's (Auvergne-Rhône-Alpes
    has 104-12 credits) or under the national one (Bourgogne-Franche-Comté has none)."""
    waiting = Project.objects.filter(state=ProjectState.CREDITS_DELEGATED).with_money()
    assert sorted(waiting.values_list("department__code", flat=True)) == ["21", "38", "44", "63", "69"]
    for project in waiting.select_related("department", "campaign"):
        assert project.commitment_id is None and project.committed_amount == project.paid_amount == 0
        assert project.granted_amount == project.requested_amount
        assert_delegated_to_its_department(project, "104-12")
    parents = {
        envelope.department.code: envelope.parent.level
        for envelope in Envelope.objects.filter(
            campaign__year=2022, budget_line__code="104-12", department__code__in=["21", "63"]
        ).select_related("department", "parent")
    }
    assert parents == {"21": EnvelopeLevel.NATIONAL, "63": EnvelopeLevel.REGION}


def test_the_national_credits_fund_every_demo_ptai(db_access: dict[str, Any]) -> None:
    """Each line's national envelope of 2021 and 2022 gave the granted amount of every file whose
    credits were delegated, and what the blocks of demo/finance.py leave on it still covers the files
    the Ministère approved and has not delegated yet."""
    for year in (2021, 2022):
        for line, on_line in (
            ("104-15", Q(target_public=TargetPublic.BPI_ONLY)),
            ("104-12", ~Q(target_public=TargetPublic.BPI_ONLY)),
        ):
            national = Envelope.objects.get(campaign__year=year, budget_line__code=line, level=EnvelopeLevel.NATIONAL)
            files = Project.objects.filter(on_line, campaign__year=year)
            delegated = files.filter(state__in=DELEGATED_STATES).aggregate(total=Sum("granted_amount"))["total"]
            for_files = LedgerEntry.objects.filter(
                envelope=national, kind=EntryKind.DELEGATION_OUT, funded_type__isnull=False
            ).aggregate(total=Sum("amount"))["total"]
            assert delegated and for_files == delegated, (year, line)
            waiting = files.filter(state=ProjectState.MINISTRY_APPROVED).aggregate(total=Sum("granted_amount"))
            assert balance(national.pk).available >= (waiting["total"] or 0), (year, line)


def test_written_through_the_services(db_access: dict[str, Any]) -> None:
    for project in Project.objects.exclude(state=ProjectState.DRAFT).prefetch_related("transitions"):
        assert project.reference.startswith(f"PTAI-{project.campaign.year}-{project.department.code}-")
        first = project.transitions.first()
        assert first is not None and first.transition == "submit"
        assert not [f for f in findings(project) if f.is_blocking], project
        assert project.resources.filter(kind=ResourceKind.STATE_REQUEST).exists()
    delegated = Project.objects.filter(state__in=DELEGATED_STATES).count()
    assert Event.objects.filter(verb="projects.delegate_credits").count() == delegated
    assert Event.objects.filter(verb="finance.delegated_for_file").count() == delegated
    assert (
        Event.objects.filter(verb="projects.commit").count() == Project.objects.filter(state__in=FUNDED_STATES).count()
    )
    assert ProjectTransition.objects.filter(transition="ministry_send_back").exists()
    assert ProjectTransition.objects.filter(transition="resubmit").exists()


def test_association_carriers_have_a_fictitious_valid_siret(db_access: dict[str, Any]) -> None:
    carried = Project.objects.filter(carrier_kind=CarrierKind.ASSOCIATION)
    assert carried.exists()
    for project in carried:
        assert project.siret.startswith("99") and len(project.siret) == 14
        project.full_clean(exclude=["state"])  # validate_siret: the Luhn key is right
    assert demo_siret("38", 1) != demo_siret("38", 2)
    assert len({THEMES[spec.theme].title for spec in DEMO_FILES if spec.department == "38"}) == 17


def test_the_demo_s_dates_are_the_story_s(db_access: dict[str, Any]) -> None:
    """Issue 10: a 2021 file was submitted, decided and funded in 2021-2022 — its timeline, its
    transitions and « depuis N jours » say so, not the day the demo was seeded."""
    for project in Project.objects.filter(campaign__year=2021).exclude(state=ProjectState.DRAFT):
        events = Event.objects.for_target(project).filter(verb__startswith="projects.")
        assert {event.created_at.year for event in events} <= {2021, 2022}, project
        assert {t.created_at.year for t in project.transitions.all()} <= {2021, 2022}, project
        assert project.state_changed_at.year in (2021, 2022), project
    submitted = ProjectTransition.objects.filter(transition="submit").order_by("created_at")
    assert len({t.created_at.date() for t in submitted}) > 20  # spread over the year, not one instant

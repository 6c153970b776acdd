"""Reports on actions: counts only, entered by the collectivité (or the opérateur it invites),
accepted or sent back by the State agent of the département, reminded once before and once after
their due date, late ones on the homes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.enums import Role
from audit.models import Event
from documents.models import Document
from programme.errors import TransitionError
from reporting.enums import Period, ReportState
from reporting.models import Indicator, Report
from reporting.services import apply_transition, invite_operator, save_report
from steering.reminders import remind_reports
from steering.schedule import ensure_project_reports, ensure_reports
from tests.factories import OperatorFactory, grenoble_metropole, isere, make_user, metropole_de_lyon, rhone
from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

COUNTS = {"bpi_reached": "12", "newcomers_reached": "18", "women": "16", "men": "14", "hours": "1 200"}


@pytest.fixture
def project():
    return ProjectFactory(funded=True, start_date=date(2021, 9, 1), end_date=date(2022, 8, 31))


@pytest.fixture
def final(project):
    ensure_project_reports(project)
    return Report.objects.for_target(project).get(period=Period.FINAL)


@pytest.fixture
def agent():
    return make_user(Role.AGENT, authority=grenoble_metropole())


@pytest.fixture
def instructor():
    return make_user(Role.INSTRUCTOR, department=isere())


def _interim_accepted(final):
    """The interim report of the same project out of the way (handed in and accepted)."""
    Report.objects.for_target(final.target).filter(period=Period.INTERIM).update(
        state=ReportState.ACCEPTED, submitted_at=final.created_at
    )


def test_a_funded_ptai_owes_an_interim_and_a_final_report_with_dates_from_the_project(project):
    assert ensure_reports() == 2
    assert ensure_reports() == 0  # idempotent
    reports = {r.period: r for r in Report.objects.for_target(project)}
    assert reports[Period.FINAL].due_on == date(2022, 11, 29)  # three months after the end
    assert reports[Period.INTERIM].due_on == date(2022, 3, 2)  # halfway
    assert reports[Period.FINAL].department == isere()


def test_the_report_keeps_the_indicator_set_it_was_made_with(final, project):
    Indicator.objects.filter(campaign=project.campaign, code="hours").update(label="Heures (nouveau libellé)")
    Indicator.objects.create(campaign=project.campaign, code="new", label="Nouvel indicateur", position=99)
    final.refresh_from_db()
    labels = [i["label"] for i in final.indicator_set]
    assert "Heures d'accompagnement ou de formation délivrées" in labels
    assert "Nouvel indicateur" not in labels


def test_counts_only_and_splits_that_add_up(final, agent):
    with pytest.raises(ValidationError) as caught:
        save_report(report=final, user=agent, values={**COUNTS, "men": "20"}, narrative="", spent_amount=None)
    assert "doit être égale aux bénéficiaires accompagnés (30)" in str(caught.value.message_dict["women"])
    with pytest.raises(ValidationError) as caught:
        save_report(report=final, user=agent, values={"bpi_reached": "-3"}, narrative="", spent_amount=None)
    assert caught.value.message_dict["bpi_reached"] == ["Un nombre ne peut pas être négatif."]
    with pytest.raises(ValidationError):
        save_report(report=final, user=agent, values={"prenom_nom": "1"}, narrative="", spent_amount=None)
    saved = save_report(report=final, user=agent, values=COUNTS, narrative="Ateliers.", spent_amount=None)
    assert saved.values["hours"] == 1200 and saved.reached == 30


def test_the_report_s_life_is_written_on_the_file_s_timeline(final, agent, instructor, project):
    with pytest.raises(TransitionError) as caught:
        apply_transition(report=final, name="submit", user=agent)
    assert caught.value.code == "report_incomplete"
    final = save_report(report=final, user=agent, values=COUNTS, narrative="Ateliers.", spent_amount=None)
    final = apply_transition(report=final, name="submit", user=agent)
    with pytest.raises(TransitionError):
        apply_transition(report=final, name="accept", user=agent)  # not the collectivité's to accept
    final = apply_transition(report=final, name="request_completion", user=instructor, reason="Ajoutez les sorties.")
    assert final.state == ReportState.COMPLETION_REQUESTED
    final = save_report(
        report=final, user=agent, values={**COUNTS, "exits_housing": "4"}, narrative="Ateliers.", spent_amount=None
    )
    final = apply_transition(report=final, name="submit", user=agent)
    final = apply_transition(report=final, name="accept", user=instructor)
    assert final.state == ReportState.ACCEPTED
    verbs = list(Event.objects.for_target(project).values_list("verb", flat=True))
    assert verbs.count("reporting.submit") == 2 and "reporting.accept" in verbs


def test_an_instructeur_of_rhone_cannot_see_a_report_of_isere(final):
    other = make_user(Role.INSTRUCTOR, department=rhone())
    lyon_agent = make_user(Role.AGENT, authority=metropole_de_lyon())
    assert not Report.objects.for_user(other).filter(pk=final.pk).exists()
    assert PersonaClient(other).get(reverse("web:report_detail", args=[final.pk])).status_code == 404
    assert PersonaClient(lyon_agent).get(reverse("web:report_detail", args=[final.pk])).status_code == 404
    with pytest.raises(TransitionError):
        apply_transition(report=final, name="accept", user=other)


def test_the_collectivite_invites_the_operator_to_enter_the_report(final, agent):
    operator = OperatorFactory()
    Report.objects.filter(pk=final.pk).update(operator=operator)
    final.refresh_from_db()
    member = make_user(Role.OPERATOR, operator=operator)
    assert not Report.objects.for_user(member).filter(pk=final.pk).exists()
    with pytest.raises(PermissionDenied):
        save_report(report=final, user=member, values=COUNTS, narrative="x", spent_amount=None)
    with pytest.raises(PermissionDenied):
        invite_operator(report=final, user=member)
    invite_operator(report=final, user=agent)
    final.refresh_from_db()
    saved = save_report(report=final, user=member, values=COUNTS, narrative="Par l'opérateur.", spent_amount=None)
    assert apply_transition(report=saved, name="submit", user=member).state == ReportState.SUBMITTED


def test_a_late_report_shows_on_the_instructeur_s_home_and_its_reminder_is_sent_once(
    final, agent, instructor, mailoutbox, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=final.pk).update(due_on=date.today() - timedelta(days=3))
    _interim_accepted(final)
    home = PersonaClient(instructor).get(reverse("web:dashboard")).content.decode()
    assert "Bilans en retard (1)" in home and final.title in home
    late_list = PersonaClient(instructor).get(reverse("web:report_list") + "?retard=1").content.decode()
    assert "1 bilan" in late_list
    with django_capture_on_commit_callbacks(execute=True):
        first = remind_reports()
    with django_capture_on_commit_callbacks(execute=True):
        second = remind_reports()
    assert (first.after, second.after) == (1, 0)
    late = [m for m in mailoutbox if "en retard" in m.subject]
    assert len(late) == 1 and late[0].to == [agent.email]
    assert "aucune donnée personnelle" in late[0].body


def test_a_reminder_is_sent_once_before_the_due_date(final, agent, mailoutbox, django_capture_on_commit_callbacks):
    Report.objects.filter(pk=final.pk).update(due_on=date.today() + timedelta(days=10))
    _interim_accepted(final)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_reports().before == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_reports().before == 0
    assert [m.to for m in mailoutbox if "à remettre le" in m.subject] == [[agent.email]]


def test_the_agent_fills_in_and_hands_in_the_report_from_its_page(final, agent, instructor):
    url = reverse("web:report_detail", args=[final.pk])
    page = PersonaClient(agent).get(url).content.decode()
    assert "aucune donnée personnelle" in page
    bad = PersonaClient(agent).post(url, {"action": "save", "bpi_reached": "douze", "narrative": "x"})
    assert bad.status_code == 400
    ok = PersonaClient(agent).post(
        url, {"action": "save", "submit": "1", **COUNTS, "narrative": "Ateliers menés.", "spent_amount": "38 000"}
    )
    assert ok.status_code == 302
    final.refresh_from_db()
    assert (final.state, final.values["bpi_reached"], str(final.spent_amount)) == (
        ReportState.SUBMITTED,
        12,
        "38000.00",
    )
    accepted = PersonaClient(instructor).post(url, {"action": "accept", "reason": ""})
    assert accepted.status_code == 302
    final.refresh_from_db()
    assert final.state == ReportState.ACCEPTED


def test_the_agent_joins_a_piece_to_the_report_and_its_readers_download_it(final, agent, instructor):
    url = reverse("web:report_detail", args=[final.pk])
    pdf = SimpleUploadedFile("feuille.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    joined = PersonaClient(agent).post(url, {"action": "attach", "file": pdf})
    assert joined.status_code == 302
    document = Document.objects.for_target(final).get()
    assert document.kind == "piece-bilan"
    download = reverse("web:report_document_download", args=[document.pk])
    for reader in (agent, instructor):
        page = PersonaClient(reader).get(url).content.decode()
        assert "feuille.pdf" in page
        assert PersonaClient(reader).get(download).status_code == 200
    # Outside the report's scope: 404, as the report itself.
    assert PersonaClient(make_user(Role.INSTRUCTOR, department=rhone())).get(download).status_code == 404
    # The type is read from the content: a program named .pdf is refused beside the field.
    fake = SimpleUploadedFile("faux.pdf", b"MZ\x90\x00\x03\x00\x00\x00binary")
    refused = PersonaClient(agent).post(url, {"action": "attach", "file": fake})
    assert refused.status_code == 400 and "pas accepté" in refused.content.decode()
    # Once handed in, the report takes no more pieces; the State agent cannot join one.
    assert PersonaClient(instructor).post(url, {"action": "attach", "file": pdf}).status_code == 400
    assert Document.objects.for_target(final).count() == 1


def test_an_administrator_edits_the_years_indicator_set_on_its_page_and_past_reports_keep_theirs(final, project):
    admin = PersonaClient(make_user(Role.ADMIN))
    year = project.campaign.year
    listing = reverse("web:indicator_list", args=[year])
    assert "Heures d'accompagnement" in admin.get(listing).content.decode().replace("&#x27;", "'")
    added = admin.post(
        reverse("web:indicator_new", args=[year]),
        {
            "code": "ateliers",
            "label": "Ateliers collectifs tenus",
            "group": "Activité",
            "position": "20",
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    changed = admin.post(
        reverse("web:indicator_edit", args=[year, "hours"]),
        {"label": "Heures délivrées", "group": "Activité", "position": "8"},  # and withdrawn (unchecked)
    )
    assert changed.status_code == 302
    page = admin.get(listing).content.decode().replace("&#x27;", "'")
    assert "Ateliers collectifs tenus" in page and "Heures délivrées" in page
    assert "Indicateur de bilan ajouté" in page  # on the campaign's timeline
    # Bad input is said beside the field, in French; the core indicators stay active.
    bad = admin.post(reverse("web:indicator_new", args=[year]), {"code": "Mauvais Code", "label": "x", "position": "1"})
    assert bad.status_code == 400 and "minuscules" in bad.content.decode().replace("&#x27;", "'")
    twice = admin.post(reverse("web:indicator_new", args=[year]), {"code": "ateliers", "label": "x", "position": "1"})
    assert twice.status_code == 400 and "déjà un indicateur" in twice.content.decode().replace("&#x27;", "'")
    core = admin.post(reverse("web:indicator_edit", args=[year, "bpi_reached"]), {"label": "BPI", "position": "0"})
    assert core.status_code == 400 and "reste actif" in core.content.decode().replace("&#x27;", "'")
    # The report made before keeps its set; a report made now gets the new one.
    final.refresh_from_db()
    codes = [i["code"] for i in final.indicator_set]
    assert "hours" in codes and "ateliers" not in codes
    other = ProjectFactory(
        funded=True, campaign=project.campaign, start_date=date(2021, 9, 1), end_date=date(2022, 8, 31)
    )
    ensure_project_reports(other)
    fresh = Report.objects.for_target(other).get(period=Period.FINAL)
    labels = {i["code"]: i["label"] for i in fresh.indicator_set}
    assert labels["ateliers"] == "Ateliers collectifs tenus" and "hours" not in labels
    # Read-only for the Diair, refused to others.
    diair = PersonaClient(make_user(Role.DIAIR))
    assert diair.get(listing).status_code == 200 and "Ajouter un indicateur" not in diair.get(
        listing
    ).content.decode().replace("&#x27;", "'")
    assert diair.get(reverse("web:indicator_new", args=[year])).status_code in (403, 404)
    assert PersonaClient(make_user(Role.INSTRUCTOR, department=isere())).get(listing).status_code in (403, 404)

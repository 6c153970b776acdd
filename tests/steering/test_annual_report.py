"""The annual programme report (issue 12): the Diair asks for it on its page, a task generates the
PDF (WeasyPrint, no JavaScript: charts as SVG, the map as a table), and its figures are the
dashboard's — read back from the PDF's text."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from programme.models import Campaign
from projects.enums import ProjectState
from reporting.enums import Period, ReportState
from steering.annual import KIND, reports_of
from steering.tasks import build_annual_report
from tests.factories import make_user
from tests.steering.test_dashboards_property import _make, _map_and_table, _tags
from tests.web.html import parse
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

DATA = (
    [
        ("38", ProjectState.FUNDED, 2021, 10, 20),
        ("974", ProjectState.CLOSED, 2021, 5, 5),
        ("69", ProjectState.SUBMITTED, 2022, 1, 1),
    ],
    [
        ("38", ReportState.ACCEPTED, Period.FINAL, -10, 7, 9),
        ("974", ReportState.ACCEPTED, Period.FINAL, -10, 3, 4),
        ("69", ReportState.EXPECTED, Period.FINAL, -10, 0, 0),
    ],
    [("38", 1000, 10), ("2A", 500, 0)],
)


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text.split(",")[0]))


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[ \u202f\xa0]+", " ", text)


def _pdf_figure(text: str, label: str) -> int:
    match = re.search(re.escape(label) + r" ((?:\d{1,3})(?: \d{3})*)", text)
    assert match, f"{label!r} not in the PDF"
    return int(match.group(1).replace(" ", ""))


def test_the_diair_generates_the_annual_report_whose_figures_are_the_dashboards(
    world, django_capture_on_commit_callbacks
):
    _make(world, *DATA)
    diair = PersonaClient(world["diair"])
    with django_capture_on_commit_callbacks(execute=True):
        response = diair.post(reverse("web:annual_reports"), {"annee": "2021"})
    assert response.status_code == 302
    page = parse(diair.get(reverse("web:annual_reports")).content.decode())
    links = [a.attrs["href"] for a in _tags(page.by_id("table-rapports"), "a")]
    assert len(links) == 1
    download = diair.get(links[0])
    assert download["Content-Type"] == "application/pdf"
    text = _pdf_text(b"".join(download.streaming_content))
    assert "Rapport annuel du programme Territoires d'intégration — 2021" in text

    url = reverse("web:steering_dashboard")
    dashboard = parse(diair.get(url).content.decode())
    tiles = {n.attrs["data-figure"]: _digits(n.text()) for n in dashboard.iter() if "data-figure" in n.attrs}
    assert _pdf_figure(text, "Collectivités engagées") == tiles["engaged"] == 2
    assert _pdf_figure(text, "Bilans en retard") == tiles["late"] == 1
    assert _pdf_figure(text, "CTAI") == tiles["ctai"]
    people = [
        [_digits(td.text()) for td in _tags(tr, "td")] for tr in _tags(dashboard.by_id("table-beneficiaires"), "tr")[1:]
    ]
    assert _pdf_figure(text, "BPI prévus") == people[0][0] == 15
    assert _pdf_figure(text, "BPI accompagnés") == people[0][1] == 10
    assert _pdf_figure(text, "Autres primo-arrivants prévus") == people[1][0] == 25
    assert _pdf_figure(text, "Autres primo-arrivants accompagnés") == people[1][1] == 13
    # The map, each of its figures: the PDF's table by département equals the dashboard's table.
    for metric, label in (("beneficiaires", "Bénéficiaires accompagnés"), ("territoires", "Collectivités engagées")):
        _, table = _map_and_table(parse(diair.get(f"{url}?carte={metric}").content.decode()))
        assert table  # the demo data has values on each map
        for code, shown in table.items():
            name = world["departments"][code].name
            assert re.search(rf"{code} — {re.escape(name)} {_digits(shown)}\b", text), (metric, code)
        total = sum(_digits(v) for v in table.values())
        assert _pdf_figure(text, f"Total — {label}") == total
    _, money = _map_and_table(parse(diair.get(f"{url}?carte=engages").content.decode()))
    assert money == {"38": "900,00 €", "2A": "500,00 €"}
    assert "Total — Montants engagés (€) 1 400,00 €" in text
    # The year's PTAI: only 2021's two (funded, closed); 2022's submitted one is in its own column.
    assert _pdf_figure(text, "PTAI de l'année 2021") == 2


def test_the_task_is_idempotent_and_others_cannot_reach_the_report(world):
    campaign = Campaign.objects.get(year=2021)
    from django.utils import timezone

    asked = timezone.now().isoformat()
    first = build_annual_report.call(campaign.pk, world["diair"].pk, asked)
    again = build_annual_report.call(campaign.pk, world["diair"].pk, asked)
    assert first == again and reports_of(campaign).count() == 1
    document = reports_of(campaign).get()
    assert document.kind == KIND and document.is_internal
    isere = PersonaClient(world["isere"])
    assert isere.get(reverse("web:annual_reports")).status_code == 404
    assert isere.get(reverse("web:annual_report_download", args=[document.pk])).status_code == 404
    agent = PersonaClient(make_user(Role.AGENT, authority=world["authorities"]["38"]))
    assert agent.post(reverse("web:annual_reports"), {"annee": "2021"}).status_code == 404


def test_an_unknown_year_is_refused_in_french(world):
    diair = PersonaClient(world["diair"])
    response = diair.post(reverse("web:annual_reports"), {"annee": "1990"}, follow=True)
    assert "Choisissez une année du programme." in response.content.decode()

"""Every dashboard figure equals a naive recomputation from the data, whatever the data (property
tests on random files, reports and commitments), for a national reader and for an instructeur of
Isère, who sees only Isère; and the map's data equals its table."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.enums import Role
from core.formats import format_euros
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Commitment, Envelope, LedgerEntry
from programme.models import Campaign
from projects.enums import ProjectState
from projects.models import Project
from reporting.enums import Period, ReportState, TargetKind
from reporting.models import Report
from steering import dashboards as d
from tests.factories import OperatorFactory, make_user
from tests.projects.factories import ProjectFactory
from tests.steering.conftest import CODES
from tests.web.html import parse
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db

TRAITS = {
    ProjectState.SUBMITTED: "submitted",
    ProjectState.IN_REVIEW: "in_review",
    ProjectState.FUNDED: "funded",
    ProjectState.CLOSED: "closed",
    ProjectState.DISMISSED: "dismissed",
}
TODAY = date.today()

projects = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(list(TRAITS)),
        st.sampled_from((2021, 2022)),
        st.integers(0, 500),
        st.integers(0, 500),
    ),
    max_size=5,
)
reports = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(list(ReportState)),
        st.sampled_from(list(Period)),
        st.integers(-400, 400),
        st.integers(0, 300),
        st.integers(0, 300),
    ),
    max_size=8,
)
commitments = st.lists(
    st.tuples(st.sampled_from(CODES), st.integers(1, 500_000), st.integers(0, 100)),
    max_size=5,
)


class _Rollback(Exception):
    pass


def _make(world: dict[str, Any], project_specs: list[Any], report_specs: list[Any], money: list[Any]) -> None:
    campaigns = {c.year: c for c in Campaign.objects.filter(year__in=(2021, 2022))}
    for code, state, year, bpi, others in project_specs:
        ProjectFactory(
            lead_authority=world["authorities"][code],
            campaign=campaigns[year],
            planned_bpi=bpi,
            planned_newcomers=others,
            budget=False,
            **{TRAITS[state]: True},
        )
    project_type = ContentType.objects.get_for_model(Project)
    for i, (code, state, period, offset, bpi, others) in enumerate(report_specs):
        Report.objects.create(
            target_type=project_type,
            target_id=10_000_000 + i,
            target_kind=TargetKind.PTAI,
            title=f"Action {i}",
            campaign=world["campaign"],
            department=world["departments"][code],
            authority=world["authorities"][code],
            period=period,
            due_on=TODAY + timedelta(days=offset),
            state=state,
            submitted_at=None if state == ReportState.EXPECTED else "2022-01-01T00:00:00Z",
            values={"bpi_reached": bpi, "newcomers_reached": others},
        )
    for code, amount, released_percent in money:
        national, _ = Envelope.objects.get_or_create(
            campaign=world["campaign"], budget_line=world["line"], level=EnvelopeLevel.NATIONAL
        )
        envelope, _ = Envelope.objects.get_or_create(
            campaign=world["campaign"],
            budget_line=world["line"],
            level=EnvelopeLevel.DEPARTMENT,
            department=world["departments"][code],
            defaults={"parent": national},
        )
        commitment = Commitment.objects.create(envelope=envelope, funded=envelope.department, label="test", rules={})
        LedgerEntry.objects.create(envelope=envelope, kind=EntryKind.COMMITMENT, amount=amount, commitment=commitment)
        released = Decimal(amount * released_percent) / 100
        released = released.quantize(Decimal("0.01"))
        if released > 0:
            LedgerEntry.objects.create(
                envelope=envelope, kind=EntryKind.RELEASE, amount=released, commitment=commitment
            )


def _naive(
    world: dict[str, Any], project_specs: list[Any], report_specs: list[Any], money: list[Any], only: str | None
):
    def seen(code: str) -> bool:
        return only is None or code == only

    by_year_state: dict[tuple[int, str], int] = defaultdict(int)
    planned = [0, 0]
    engaged: dict[str, set[int]] = defaultdict(set)
    for code, state, year, bpi, others in project_specs:
        if not seen(code):
            continue
        by_year_state[(year, state)] += 1
        if state in (ProjectState.FUNDED, ProjectState.CLOSED):
            planned[0] += bpi
            planned[1] += others
            engaged[code].add(world["authorities"][code].pk)
    reached = [0, 0]
    reached_map: dict[str, int] = defaultdict(int)
    late = 0
    for code, state, period, offset, bpi, others in report_specs:
        if not seen(code):
            continue
        if state == ReportState.ACCEPTED and period == Period.FINAL:
            reached[0] += bpi
            reached[1] += others
            reached_map[code] += bpi + others
        if state in (ReportState.EXPECTED, ReportState.COMPLETION_REQUESTED) and offset < 0:
            late += 1
    committed: dict[str, Decimal] = defaultdict(Decimal)
    for code, amount, released_percent in money:
        if seen(code):
            released = (Decimal(amount * released_percent) / 100).quantize(Decimal("0.01"))
            committed[code] += Decimal(amount) - released
    return {
        "by_year_state": dict(by_year_state),
        "people": d.Beneficiaries(planned[0], planned[1], reached[0], reached[1]),
        "late": late,
        "territoires": {code: len(ids) for code, ids in engaged.items()},
        "beneficiaires": {code: n for code, n in reached_map.items() if n},
        "engages": {code: amount for code, amount in committed.items() if amount},
    }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(project_specs=projects, report_specs=reports, money=commitments)
def test_every_dashboard_figure_equals_a_naive_recomputation(world, project_specs, report_specs, money):
    assert not Report.objects.exists()  # the previous example was rolled back
    try:
        with transaction.atomic():
            _make(world, project_specs, report_specs, money)
            for reader, only in ((world["diair"], None), (world["isere"], "38")):
                scope = d.Scope(reader)
                naive = _naive(world, project_specs, report_specs, money, only)
                assert d.ptai_by_year_state(scope) == naive["by_year_state"]
                assert d.beneficiaries(scope) == naive["people"]
                assert d.late_reports(scope) == naive["late"]
                for metric in ("territoires", "beneficiaires", "engages"):
                    assert d.map_values(scope, metric) == naive[metric], metric
                assert d.engaged_territories(scope) == sum(naive["territoires"].values())
            raise _Rollback
    except _Rollback:
        pass


def _tags(node: Any, tag: str) -> list[Any]:
    return [n for n in node.iter() if n.tag == tag]


def _map_and_table(page: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The map's data attribute and the table's rows (département code -> shown value)."""
    data = json.loads(_tags(page, "map-chart")[0].attrs["data"])
    table = page.by_id("table-carte")
    rows = {r.attrs["data-code"]: _tags(r, "td")[0].text() for r in _tags(table, "tr") if "data-code" in r.attrs}
    return data, rows


def test_a_user_of_isere_sees_only_isere_and_the_map_equals_its_table(world):
    _make(
        world,
        [("38", ProjectState.FUNDED, 2021, 10, 20), ("974", ProjectState.CLOSED, 2021, 5, 5)],
        [
            ("38", ReportState.ACCEPTED, Period.FINAL, -10, 7, 9),
            ("974", ReportState.ACCEPTED, Period.FINAL, -10, 3, 4),
            ("69", ReportState.EXPECTED, Period.FINAL, -10, 0, 0),
        ],
        [("38", 1000, 0), ("2A", 500, 0)],
    )
    url = reverse("web:steering_dashboard")
    national = parse(PersonaClient(world["diair"]).get(url + "?carte=beneficiaires").content.decode())
    data, table = _map_and_table(national)
    assert data == {"38": 16, "974": 7}  # La Réunion (DROM) on the map
    assert table == {code: str(value) for code, value in data.items()}
    data, table = _map_and_table(parse(PersonaClient(world["diair"]).get(url + "?carte=engages").content.decode()))
    assert data == {"38": 1000.0, "2A": 500.0}
    assert table == {code: " ".join(format_euros(Decimal(value)).split()) for code, value in data.items()}

    isere = PersonaClient(world["isere"])
    page = parse(isere.get(url + "?carte=engages").content.decode())
    data, table = _map_and_table(page)
    assert data == {"38": 1000.0} and list(table) == ["38"]
    late = next(n for n in page.iter() if n.attrs.get("data-figure") == "late")
    assert late.text() == "0"  # Rhône's late report is not Isère's
    assert isere.get(url + "?departement=69").status_code == 404
    assert isere.get(reverse("web:steering_csv")).status_code == 200
    outsider = make_user(Role.OPERATOR, operator=OperatorFactory())
    assert PersonaClient(outsider).get(url).status_code == 404


def _digits(text: str) -> int:
    return int("".join(c for c in text if c.isdigit()) or "0")


def _total_of(reader: PersonaClient, href: str) -> int:
    listing = parse(reader.get(href).content.decode())
    status = next(n for n in listing.iter() if n.tag == "p" and n.attrs.get("role") == "status")
    return _digits(status.text())


def test_each_figure_links_to_the_list_whose_total_is_the_figure(world):
    """Every linked figure of the dashboard (CTAI by state, PTAI by state and year, PTAI by domain,
    the tiles, the people reached) opens a list whose total is the figure, for the national reader
    and for a département of it."""
    from contracts.enums import ContractState
    from tests.contracts.conftest import make_contract

    _make(
        world,
        [
            ("38", ProjectState.FUNDED, 2021, 1, 1),
            ("38", ProjectState.FUNDED, 2021, 1, 1),
            ("69", ProjectState.SUBMITTED, 2022, 1, 1),
            ("974", ProjectState.CLOSED, 2021, 2, 3),
        ],
        [
            ("38", ReportState.ACCEPTED, Period.FINAL, -10, 7, 9),
            ("974", ReportState.ACCEPTED, Period.FINAL, -10, 3, 4),
            ("69", ReportState.EXPECTED, Period.INTERIM, -10, 0, 0),
        ],
        [],
    )
    make_contract(ContractState.SIGNED, authority=world["authorities"]["38"])
    make_contract(ContractState.DIAGNOSIS, authority=world["authorities"]["69"])
    reader = PersonaClient(world["diair"])
    checked = 0
    for query in ("", "?departement=38"):
        page = parse(reader.get(reverse("web:steering_dashboard") + query).content.decode())
        for table in ("table-ctai", "table-ptai", "table-ptai-domaines"):
            for link in _tags(page.by_id(table), "a"):
                assert _total_of(reader, link.attrs["href"]) == _digits(link.text()), (table, link.attrs["href"])
                checked += 1
        for tile in ("late", "ctai"):
            figure = next(n for n in page.iter() if n.attrs.get("data-figure") == tile)
            link = _tags(figure.parent, "a")[0]
            assert _total_of(reader, link.attrs["href"]) == _digits(figure.text()), tile
            checked += 1
        people = _tags(page.by_id("table-beneficiaires"), "a")
        listing = parse(reader.get(people[0].attrs["href"]).content.decode())
        assert _digits(listing.by_id("reached-bpi").text()) == _digits(people[0].text())
        assert _digits(listing.by_id("reached-others").text()) == _digits(people[1].text())
    assert checked >= 10


@pytest.mark.parametrize("per_departement", [1, 6])
def test_the_national_dashboard_stays_flat_as_departements_and_files_grow(
    world, per_departement, django_assert_max_num_queries
):
    """Figures from grouped queries: the same number of queries whatever the number of files and
    départements (never one query per département or per state)."""
    specs = [(code, state, 2021, 3, 4) for code in CODES for state in TRAITS for _ in range(per_departement)]
    reports_ = [(code, ReportState.ACCEPTED, Period.FINAL, -3, 2, 2) for code in CODES] * per_departement
    _make(world, specs, reports_, [(code, 100, 0) for code in CODES])
    reader = PersonaClient(world["diair"])
    url = reverse("web:steering_dashboard")
    reader.get(url)
    with django_assert_max_num_queries(26):
        assert reader.get(url + "?carte=engages").status_code == 200


def test_the_exports_carry_the_dashboards_figures_for_the_readers_scope(world):
    """CSV and XLSX of the figures: the same values as the dashboard, Isère's only for Isère."""
    import csv
    import io

    from openpyxl import load_workbook

    _make(
        world,
        [("38", ProjectState.FUNDED, 2021, 10, 20), ("974", ProjectState.CLOSED, 2021, 5, 5)],
        [("38", ReportState.ACCEPTED, Period.FINAL, -10, 7, 9), ("69", ReportState.EXPECTED, Period.FINAL, -3, 0, 0)],
        [("38", 1000, 0)],
    )

    def rows_of_csv(client: PersonaClient) -> dict[tuple[str, str], str]:
        body = b"".join(client.get(reverse("web:steering_csv")).streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0] else ","))
        return {(r[0], r[1]): r[3] for r in rows[1:]}

    national = rows_of_csv(PersonaClient(world["diair"]))
    assert national[("Bénéficiaires", "BPI prévus")] == "15"
    assert national[("Bénéficiaires", "Autres primo-arrivants accompagnés")] == "9"
    assert national[("Bilans en retard", "")] == "1"
    assert national[("Carte — Collectivités engagées", "974 La Réunion")] == "1"
    isere = rows_of_csv(PersonaClient(world["isere"]))
    assert isere[("Bénéficiaires", "BPI prévus")] == "10" and isere[("Bilans en retard", "")] == "0"
    assert not any(key[0].startswith("Carte") and not key[1].startswith("38") for key in isere)

    response = PersonaClient(world["diair"]).get(reverse("web:steering_xlsx"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {(r[0], r[1] or ""): r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells[("Bénéficiaires", "BPI prévus")] == 15
    assert cells[("Carte — Montants engagés (€)", "38 Isère")] == 1000

"""Steering dashboards (national, région, département, collectivité: the reader's own scope) with
charts drawn by the State's components (`@gouvfr/dsfr-chart`, vendored) and, for each chart, the
same figures as a table; the map of France by département (DROM included); CSV / XLSX exports of
the figures. Figures: `steering.dashboards` (a few grouped queries)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contracts.enums import ContractKind, ContractState
from documents.models import Document
from programme.models import Campaign
from projects.enums import ProjectState
from referential.models import Department
from reporting.enums import Period, ReportState
from steering import dashboards as d
from steering.annual import KIND, may_generate
from steering.tasks import build_annual_report
from web.exports import Cell, csv_response, xlsx_response

STEERING_ROLES = (Role.AGENT, Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN)


def can_steer(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*STEERING_ROLES))


def _scope(request: HttpRequest) -> d.Scope:
    if not can_steer(request.user):
        raise Http404
    code = request.GET.get("departement", "").strip()
    department = None
    if code:
        department = Department.objects.for_user(request.user).filter(code=code).first()
        if department is None:
            raise Http404
    return d.Scope(request.user, department)


def _url(name: str, **filters: Any) -> str:
    query = urlencode({k: v for k, v in filters.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _bars(labels: Sequence[str], values: Sequence[Any]) -> dict[str, str]:
    """The `x` and `y` attributes of a one-series `<bar-chart>` / `<pie-chart>` (lists of lists)."""
    return {
        "names": json.dumps(list(labels), ensure_ascii=False),
        "x": json.dumps([list(labels)], ensure_ascii=False),
        "y": json.dumps([[_number(v) for v in values]]),
    }


EVALUATIONS_SHOWN = 10


def _evaluations(scope: d.Scope) -> Any:
    return scope.evaluations.select_related("authority").order_by("-completed_on", "pk")


def figures(scope: d.Scope) -> dict[str, Any]:
    """Every figure of the dashboard, with its table rows, chart data and links."""
    dep = scope.department.code if scope.department else ""
    dep_pk = scope.department.pk if scope.department else ""  # the contract list filters by id
    ctai = d.ctai_by_state(scope)
    ctai_rows = [
        (
            state.label,
            ctai[state.value],
            _url("web:contract_list", etat=state.value, type=ContractKind.CTAI, departement=dep_pk),
        )
        for state in ContractState
        if ctai.get(state.value)
    ]
    ptai = d.ptai_by_year_state(scope)
    years = sorted({year for year, _ in ptai})
    ptai_rows = [
        (
            state.label,
            [
                (
                    ptai.get((year, state.value), 0),
                    _url("web:project_list", etat=state.value, annee=year, departement=dep),
                )
                for year in years
            ],
        )
        for state in ProjectState
        if any(ptai.get((year, state.value)) for year in years)
    ]
    money = d.money_by_line(scope) if scope.sees_money else {}
    people = d.beneficiaries(scope)
    by_domain = d.ptai_by_domain(scope)
    actions_domain = d.actions_by_domain(scope)
    actions_priority = d.actions_by_priority(scope)
    return {
        "ctai_rows": ctai_rows,
        "ctai_total": sum(n for _, n, _ in ctai_rows),
        "ctai_chart": _bars([r[0] for r in ctai_rows], [r[1] for r in ctai_rows]),
        "ptai_years": years,
        "ptai_rows": ptai_rows,
        "money": money,
        "sees_money": scope.sees_money,
        "people": people,
        "people_chart": {
            "x": json.dumps([["BPI", "Autres primo-arrivants"]], ensure_ascii=False),
            "y": json.dumps(
                [[people.planned_bpi, people.planned_newcomers], [people.reached_bpi, people.reached_newcomers]]
            ),
        },
        "ptai_domain_rows": [
            (label, n, _url("web:project_list", domaine=code, departement=dep)) for code, label, n in by_domain
        ],
        "ptai_domain_chart": _bars([lab for _, lab, _ in by_domain], [n for _, _, n in by_domain]),
        "actions_domain_rows": actions_domain,
        "actions_priority_rows": actions_priority,
        "late_reports": d.late_reports(scope),
        "late_url": _url("web:report_list", retard="1", departement=dep),
        "reached_url": _url("web:report_list", etat=ReportState.ACCEPTED, periode=Period.FINAL, departement=dep),
        "waiting": d.waiting_files(scope),
        "engaged": d.engaged_territories(scope),
        # The latest ones (thousands nationally after ten years): the list page holds them all.
        "evaluations": list(_evaluations(scope)[:EVALUATIONS_SHOWN]),
        "evaluation_count": scope.evaluations.count(),
    }


def map_context(scope: d.Scope, metric: str) -> dict[str, Any]:
    if metric not in d.MAP_METRICS:
        metric = "territoires"
    values = d.map_values(scope, metric)
    names = dict(Department.objects.filter(code__in=values).values_list("code", "name"))
    rows = sorted(((code, names.get(code, code), value) for code, value in values.items()), key=lambda r: r[0])
    total = sum(values.values())
    data = {code: _number(value) for code, value in values.items()}
    return {
        "metric": metric,
        "metrics": d.MAP_METRICS,
        "metric_label": d.MAP_METRICS[metric],
        "map_rows": rows,
        "map_total": total,
        "map_data": json.dumps(data),
        "map_value": _number(total),
        "money_metric": metric == "engages",
    }


def _title(scope: d.Scope) -> str:
    if scope.department:
        return f"Pilotage — {scope.department}"
    memberships = scope.user.active_memberships
    national = any(m.role in (Role.DIAIR, Role.MINISTRY, Role.ADMIN) for m in memberships)
    if national:
        return "Pilotage national"
    labels = sorted({m.scope_label for m in memberships if m.role in STEERING_ROLES})
    return "Pilotage — " + ", ".join(labels)


def steering_dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    context = {
        "title": _title(scope),
        "department": scope.department,
        "departments": Department.objects.for_user(request.user).order_by("code"),
        "may_annual": may_generate(request.user),
        **figures(scope),
        **map_context(scope, request.GET.get("carte", "")),
    }
    return render(request, "web/steering/dashboard.html", context)


def _export_rows(scope: d.Scope) -> Iterator[Sequence[Cell]]:
    f = figures(scope)
    for label, n, _ in f["ctai_rows"]:
        yield ("CTAI par état", label, "", n)
    for label, cells in f["ptai_rows"]:
        for year, (n, _) in zip(f["ptai_years"], cells, strict=True):
            yield ("PTAI par état et année", label, year, n)
    for line, values in f["money"].items():
        for key, label in (
            ("opened", "ouverts"),
            ("delegated", "délégués"),
            ("committed", "engagés"),
            ("paid", "payés"),
            ("released", "libérés"),
        ):
            yield ("Crédits (€)", f"{line} {label}", "", values[key])
    p = f["people"]
    yield ("Bénéficiaires", "BPI prévus", "", p.planned_bpi)
    yield ("Bénéficiaires", "BPI accompagnés", "", p.reached_bpi)
    yield ("Bénéficiaires", "Autres primo-arrivants prévus", "", p.planned_newcomers)
    yield ("Bénéficiaires", "Autres primo-arrivants accompagnés", "", p.reached_newcomers)
    for label, n, _ in f["ptai_domain_rows"]:
        yield ("PTAI par domaine", label, "", n)
    for _, label, n, amount in f["actions_domain_rows"]:
        yield ("Actions de CTAI par domaine", label, n, amount)
    for label, n, amount in f["actions_priority_rows"]:
        yield ("Actions de CTAI par priorité", label, n, amount)
    yield ("Bilans en retard", "", "", f["late_reports"])
    for evaluation in _evaluations(scope).iterator():
        yield ("Évaluations qualitatives", evaluation.title, evaluation.completed_on, evaluation.summary or "en cours")
    for kind, rows in f["waiting"].items():
        for w in rows:
            yield (
                f"{kind.upper()} en attente (jours : médiane / plus ancien)",
                w.label,
                f"{w.median_days} / {w.oldest_days}",
                w.count,
            )
    for metric in d.MAP_METRICS:
        for code, name, value in map_context(scope, metric)["map_rows"]:
            yield (f"Carte — {d.MAP_METRICS[metric]}", f"{code} {name}", "", value)


EXPORT_HEADER = ("Indicateur", "Ligne", "Précision", "Valeur")


def steering_csv(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    return csv_response("pilotage", EXPORT_HEADER, _export_rows(scope))


def steering_xlsx(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    return xlsx_response("pilotage", EXPORT_HEADER, _export_rows(scope))


# --- The annual programme report (PDF generated by a task) ------------------------------------------


def annual_reports(request: HttpRequest) -> HttpResponse:
    """The Diair's page: each campaign year with its generated versions and a button that asks for a
    new one (generated by the worker once the request has committed)."""
    user = request.user
    if not may_generate(user):
        raise Http404
    if request.method == "POST":
        year = request.POST.get("annee", "")
        campaign = Campaign.objects.filter(year=int(year)).first() if year.isdigit() and len(year) == 4 else None
        if campaign is None:
            messages.error(request, "Choisissez une année du programme.")
            return redirect("web:annual_reports")
        requested_at = timezone.now().isoformat()
        transaction.on_commit(
            partial(build_annual_report.enqueue, campaign.pk, request.user.pk, requested_at)  # type: ignore[arg-type]
        )
        messages.success(
            request,
            f"Le rapport annuel {campaign.year} est en préparation : il apparaîtra ci-dessous dans quelques "
            "instants (rechargez la page).",
        )
        return redirect("web:annual_reports")
    campaigns = list(Campaign.objects.order_by("-year"))
    versions: dict[int, list[Document]] = {c.pk: [] for c in campaigns}
    campaign_type = ContentType.objects.get_for_model(Campaign)
    for document in Document.objects.filter(target_type=campaign_type, kind=KIND).order_by("-created_at", "-pk"):
        versions.setdefault(int(document.target_id), []).append(document)
    rows = [(c, versions[c.pk]) for c in campaigns]
    return render(request, "web/steering/annual_reports.html", {"rows": rows})


def annual_report_download(request: HttpRequest, pk: int) -> FileResponse:
    if not may_generate(request.user):
        raise Http404
    document = Document.objects.filter(
        pk=pk, kind=KIND, target_type=ContentType.objects.get_for_model(Campaign)
    ).first()
    if document is None:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )

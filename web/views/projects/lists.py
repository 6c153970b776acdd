"""The PTAI list for every role (scoped by `for_user`), its filters, sorting, and CSV / XLSX exports.

Page first, then fetch only the page's rows with what they show (`for_list().with_money()`):
the number of queries does not depend on the number of files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import batched
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from programme.enums import TargetPublic
from projects.enums import ProjectState
from projects.models import Project, ProjectQuerySet
from web.exports import Cell, Listing, exported, request_for
from web.forms.projects import SORTS, ProjectFilterForm
from web.lists import kept_query, sortable_headers, sorted_by
from web.paging import ListPaginator
from web.views.accounts import _require
from web.views.projects.common import can_create_ptai, can_see_ptai

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
COLUMNS = (
    ("reference", "Référence"),
    ("title", "Titre"),
    ("lead", "Collectivité porteuse"),
    ("departement", "Département"),
    ("annee", "Année"),
    ("etat", "État"),
    ("montant", "Montant demandé"),
    ("date", "Créé le"),
)


def filtered(request: HttpRequest) -> tuple[ProjectFilterForm, QuerySet[Project], str]:
    """The user's files with the GET filters applied, sorted; and the sort key."""
    form = ProjectFilterForm(request.GET or None)
    projects = Project.objects.for_user(request.user)
    sort = "-date"
    if form.is_valid():
        data = form.cleaned_data
        if data["etat"]:
            projects = projects.filter(state=data["etat"])
        if data["annee"]:
            projects = projects.filter(campaign__year=data["annee"])
        if data["departement"]:
            projects = projects.filter(department=data["departement"])
        if data["domaine"]:
            projects = projects.filter(domains=data["domaine"])
        if data["montant_min"] is not None:
            projects = projects.filter(requested_amount__gte=data["montant_min"])
        if data["montant_max"] is not None:
            projects = projects.filter(requested_amount__lte=data["montant_max"])
        if query := data["q"].strip():
            projects = projects.filter(Q(title__icontains=query) | Q(reference__icontains=query))
        sort = data["tri"] or sort
    projects, sort = sorted_by(projects, SORTS, sort, "-date")
    return form, projects, sort


@_require(can_see_ptai)
def project_list(request: HttpRequest) -> HttpResponse:
    form, projects, sort = filtered(request)
    # The count (estimated for the whole national list, web.paging), the page's ids by the sort's
    # index, then the page's files with their joins and money.
    page = ListPaginator(projects.values_list("pk", flat=True), PAGE_SIZE, estimate=True).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    rows = {p.pk: p for p in Project.objects.filter(pk__in=ids).for_list().with_money()}
    return render(
        request,
        "web/projects/list.html",
        {
            "form": form,
            "page": page,
            "projects": [rows[pk] for pk in ids if pk in rows],
            "headers": sortable_headers(request, COLUMNS, SORTS, sort),
            "query": kept_query(request),
            "can_create": can_create_ptai(request.user),
            "states": ProjectState,
        },
    )


EXPORT_HEADER = (
    "Référence",
    "Titre",
    "Collectivité porteuse",
    "Département",
    "Année",
    "État",
    "Public cible",
    "Domaines",
    "Montant demandé",
    "Montant accordé",
    "Montant engagé",
    "Montant versé",
    "Créé le",
    "Déposé le",
)


def _export_rows(projects: QuerySet[Project]) -> Iterator[Sequence[Cell]]:
    """Plain tuples from the database (no model, no prefetch per row), over a server-side cursor;
    each chunk's domains in one query. Same columns and formats as the list's files."""
    states = {value: str(label) for value, label in ProjectState.choices}
    publics = {value: str(label) for value, label in TargetPublic.choices}
    rows = (
        cast(ProjectQuerySet, projects)  # type: ignore[misc]  # annotations of with_money()
        .with_money()
        .values_list(
            "pk",
            "reference",
            "title",
            "lead_authority__name",
            "department__code",
            "campaign__year",
            "state",
            "target_public",
            "requested_amount",
            "granted_amount",
            "committed_amount",
            "paid_amount",
            "created_at",
            "submitted_at",
            "historical",
        )
    )
    links = Project.domains.through.objects.order_by("domain__position", "domain__label", "domain_id")
    for chunk in batched(rows.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK, strict=False):
        domains: dict[int, list[str]] = defaultdict(list)
        for project_id, label in links.filter(project_id__in=[row[0] for row in chunk]).values_list(
            "project_id", "domain__label"
        ):
            domains[project_id].append(label)
        for pk, reference, title, lead, department, year, state, public, *money, created, submitted, past in chunk:
            yield (
                reference,
                title,
                lead,
                department,
                year,
                # A PTAI taken from a spreadsheet (`historical`): its money is not on the ledger.
                f"{states.get(state, state)} (repris d'un tableau, hors registre)"
                if past
                else states.get(state, state),
                "" if past else publics.get(public, public),
                ", ".join(domains[pk]),
                *money,
                created,
                submitted,
            )


@_require(can_see_ptai)
def project_csv(request: HttpRequest) -> HttpResponse:
    return exported(request, "web.views.projects.lists.ptai_listing", "csv")


@_require(can_see_ptai)
def project_xlsx(request: HttpRequest) -> HttpResponse:
    return exported(request, "web.views.projects.lists.ptai_listing", "xlsx")


def ptai_listing(user: Any, query: QueryDict) -> Listing:
    """The PTAI the user sees, with the list's filters: streamed, or written by `web.tasks.run_export`."""
    _form, projects, _sort = filtered(request_for(user, query))
    return Listing("ptai", "PTAI", EXPORT_HEADER, _export_rows(projects), projects.count())

"""What the benchmark measures: a registry of pages (name, path, user), resolved on the bench data.

To measure a new page, register it here:

    register("Rapports, Diair", "diair", "/pilotage/rapports/")

`user` is a key of `USERS` (or None for an anonymous visitor); `path` a string or a function of
the bench data returning one (ids differ between databases). `naked`, when given, names a bare
view of `bench.naked` serving the page's main query (its floor). `export=True` measures the
response as an export (time to the last byte and the worker's memory growth); an export above
`EXPORT_TASK_THRESHOLD` rows (302 to its export page) is measured through a task worker, from the
request to the file downloaded (`bench.run.measure_task_export`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The accounts the pages are seen with (e-mails of bench.generate), by role.
USERS: dict[str, Callable[[], str]] = {}


def _user(key: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def wrap(fn: Callable[[], str]) -> Callable[[], str]:
        USERS[key] = fn
        return fn

    return wrap


@_user("admin")
def _admin() -> str:
    return "admin@bench.example"


@_user("diair")
def _diair() -> str:
    return "diair@bench.example"


@_user("ministere")
def _ministry() -> str:
    return "ministere@bench.example"


@_user("instructeur.38")
def _instructor() -> str:
    return "instructeur.38@bench.example"


@_user("prefet.69")
def _prefect() -> str:
    return "prefet.69@bench.example"


@_user("agent.metropole")
def _agent() -> str:
    """The agent of the collectivité that leads the most PTAI (a métropole at full scale)."""
    from django.db.models import Count

    from projects.models import Project

    top = (
        Project.objects.values("lead_authority_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_authority_id")
        .values_list("lead_authority_id", flat=True)
        .first()
    )
    return f"agent.{top}@bench.example"


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None
    path: str | Callable[[], str]
    naked: str | None = None
    export: bool = False

    def resolve(self) -> str:
        return self.path() if callable(self.path) else self.path


PAGES: list[Page] = []


def register(
    name: str, user: str | None, path: str | Callable[[], str], *, naked: str | None = None, export: bool = False
) -> Page:
    if any(p.name == name for p in PAGES):
        raise ValueError(f"page already registered: {name}")
    page = Page(name, user, path, naked, export)
    PAGES.append(page)
    return page


# --- Paths that depend on the data ------------------------------------------------------------------


def _funded_ptai_of_isere() -> str:
    from projects.models import Project

    pk = (
        Project.objects.filter(state="funded", department__code="38")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"/ptai/{pk}/"


def _contract_of_rhone() -> str:
    from django.db.models import Count

    from contracts.models import Contract

    pk = (
        Contract.objects.filter(department__code="69", state="signed")
        .annotate(n=Count("programmings"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:  # small scales: the largest signed contract anywhere
        pk = Contract.objects.filter(state="signed").order_by("pk").values_list("pk", flat=True).first()
    return f"/ctai/{pk}/"


def _largest_programming() -> str:
    from django.db.models import Count

    from contracts.models import Programming

    pk = Programming.objects.annotate(n=Count("actions")).order_by("-n", "pk").values_list("pk", flat=True).first()
    return f"/programmations/{pk}/"


def _envelope_of_isere() -> str:
    from finance.models import Envelope

    pk = (
        Envelope.objects.filter(department__code="38", budget_line__code="104-12")
        .order_by("-campaign__year")
        .values_list("pk", flat=True)
        .first()
    )
    return f"/budget/enveloppes/{pk}/"


def _deep(path: str) -> Callable[[], str]:
    """The middle page of the national PTAI list: page 500 at full scale (50 000 files, 50 a page)."""

    def resolve() -> str:
        from projects.models import Project

        page = max(1, Project.objects.count() // 100)
        return f"{path}{'&' if '?' in path else '?'}page={page}"

    return resolve


def _departmental_committee() -> str:
    from steering.models import Committee

    pk = (
        Committee.objects.filter(level="department", department__code="38")
        .order_by("-held_on", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"/comites/{pk}/"


def _authority_with_most_awards() -> str:
    """The public page of the collectivité with the most funded actions in the catalogue."""
    from django.db.models import Count

    from public.models import CatalogueEntry

    pk = (
        CatalogueEntry.objects.values("authority_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "authority_id")
        .values_list("authority_id", flat=True)
        .first()
    )
    return f"/territoires/{pk}/"


def _deep_reports() -> str:
    """The middle page of the national list of reports."""
    from reporting.models import Report

    return f"/bilans/?page={max(1, Report.objects.count() // 100)}"


# --- The registry -----------------------------------------------------------------------------------

register("accueil public", None, "/", naked="home")
register("appels à projets ouverts (public)", None, "/appels-a-projets/")
register("tableau de bord, instructeur 38", "instructeur.38", "/tableau-de-bord/")
register("tableau de bord, agent de métropole", "agent.metropole", "/tableau-de-bord/")
register("tableau de bord, Diair", "diair", "/tableau-de-bord/")
register("tableau de bord, Ministère", "ministere", "/tableau-de-bord/")
register("tableau de bord, préfet 69", "prefet.69", "/tableau-de-bord/")
register("PTAI, instructeur 38", "instructeur.38", "/ptai/", naked="ptai_list")
register("PTAI, agent de métropole", "agent.metropole", "/ptai/", naked="ptai_list")
register("PTAI, Ministère", "ministere", "/ptai/", naked="ptai_list")
register("PTAI, Ministère, page 500", "ministere", _deep("/ptai/"), naked="ptai_list")
register("PTAI, Ministère, texte + tri montant", "ministere", "/ptai/?q=logement&tri=-montant", naked="ptai_list")
register("CTAI, Diair", "diair", "/ctai/", naked="ctai_list")
register("CTAI, Diair, texte + tri", "diair", "/ctai/?q=metropole&tri=-date", naked="ctai_list")
register("PTAI financé (fiche), instructeur 38", "instructeur.38", _funded_ptai_of_isere)
register("CTAI et programmations, préfet 69", "prefet.69", _contract_of_rhone)
register("plus grande programmation, Diair", "diair", _largest_programming)
register("budget national, Ministère", "ministere", "/budget/")
register("écritures, Ministère", "ministere", "/budget/ecritures/", naked="ledger")
register("enveloppe de l'Isère, instructeur 38", "instructeur.38", _envelope_of_isere)
register("API PTAI, Ministère", "ministere", "/api/v1/ptai/", naked="ptai_list")
register("API PTAI, Ministère, page 500", "ministere", _deep("/api/v1/ptai/"))
register("API PTAI, instructeur 38", "instructeur.38", "/api/v1/ptai/")
register("API CTAI, Diair", "diair", "/api/v1/ctai/")
# Steering (pilotage): dashboards by scope, the map, reports, committees, evaluations.
register("pilotage, Diair", "diair", "/pilotage/")
register("pilotage, Ministère", "ministere", "/pilotage/")
register("pilotage, Diair, département du Rhône", "diair", "/pilotage/?departement=69")
register("pilotage, instructeur 38", "instructeur.38", "/pilotage/")
register("pilotage, carte des montants engagés, Ministère", "ministere", "/pilotage/?carte=engages")
register("bilans, Diair", "diair", "/bilans/")
register("bilans, Diair, page 500", "diair", _deep_reports)
register("bilans en retard, instructeur 38", "instructeur.38", "/bilans/?retard=1")
register("comités, Diair", "diair", "/comites/")
register("comité départemental de l'Isère, instructeur 38", "instructeur.38", _departmental_committee)
register("évaluations, Diair", "diair", "/evaluations/")
# The public side (no log-in).
register("carte des territoires (public)", None, "/territoires/")
register("catalogue des actions financées (public)", None, "/actions-financees/")
register("catalogue, recherche « logement » (public)", None, "/actions-financees/?q=logements")
register("page d'une collectivité (public)", None, _authority_with_most_awards)
register("contacts locaux (public)", None, "/contacts/?q=Grenoble")
register("données ouvertes (public)", None, "/donnees-ouvertes/")
register("fichier SCDL des subventions (public)", None, "/opendata/subventions.csv", export=True)
register("fichier 360Giving (public)", None, "/opendata/360giving.json", export=True)
register("export CSV du pilotage, Ministère", "ministere", "/pilotage/export.csv", export=True)
register("export CSV des PTAI, Ministère", "ministere", "/ptai/export.csv", export=True)
register("export CSV des écritures, Ministère", "ministere", "/budget/ecritures/export.csv", export=True)
register("export XLSX des PTAI, Ministère", "ministere", "/ptai/export.xlsx", export=True)
register("export XLSX des écritures, Ministère", "ministere", "/budget/ecritures/export.xlsx", export=True)
register("export CSV des CTAI, Diair", "diair", "/ctai/export.csv", export=True)


def find(name: str) -> Page:
    return next(p for p in PAGES if p.name == name)


def as_dict(page: Page) -> dict[str, Any]:
    return {"name": page.name, "user": page.user, "path": page.resolve()}

"""The public side (no log-in): how to join, the map of the Territoires d'intégration and the page
of each collectivité, the catalogue of funded actions, the local contacts (F08), the eligibility
helper (F02, F04-F06), the open data and its files.

Everything shown comes from `public` (the published catalogue and files, public fields only) or from
signed contracts' public facts (collectivité, dates); counts of people below the campaign's
small-count threshold never reach a template (they are None in the catalogue)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_GET, require_http_methods

from contracts.enums import ContractState
from contracts.models import Contract
from core.text import search_key
from programme.eligibility import assess
from public.models import CatalogueEntry, Publication, PublicationKind, Referent
from public.services import publish
from referential.enums import AuthorityKind
from referential.models import Authority, Department
from web.forms.public import CatalogueFilterForm, ContactSearchForm, EligibilityForm
from web.views.public import current_campaign

# A signed CTAI, in force or over, or a CTAIR widened into one: public facts of the programme.
SIGNED_STATES = (ContractState.SIGNED, ContractState.ENDED, ContractState.WIDENED)
PAGE_SIZE = 20
# A collectivité's public page shows at most this many projects and as many actions.
TERRITORY_ROWS = 100


def _signed_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(state__in=SIGNED_STATES, signed_on__isnull=False).select_related(
        "authority", "department"
    )


# --- How to join -------------------------------------------------------------------------------


def _mandatory(rules: dict[str, Any], prefix: str) -> dict[str, Any]:
    labels = rules.get("domain_labels", {})
    return {"mandatory": [labels.get(code, code).lower() for code in rules.get(f"{prefix}_mandatory_domains", [])]}


@login_not_required
@require_GET
def how_to_ctai(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign()
    rules = campaign.rules() if campaign else {}
    return render(request, "web/public/how_ctai.html", {"campaign": campaign, **_mandatory(rules, "ctai")})


@login_not_required
@require_GET
def how_to_ptai(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign()
    rules = campaign.rules() if campaign else {}
    return render(request, "web/public/how_ptai.html", {"campaign": campaign, **_mandatory(rules, "ptai")})


# --- The map and the collectivités ---------------------------------------------------------------


@login_not_required
@require_GET
def territories(request: HttpRequest) -> HttpResponse:
    """The map of France by département (DROM included) with the same figures as a table."""
    # Grouped by the database (not one row per entry: 124 000 catalogue entries at scale).
    contracts = dict(
        _signed_contracts().filter(kind="ctai").order_by().values_list("department__code").annotate(n=Count("pk"))
    )
    # One funded PTAI is one award (its catalogue entry); amounts: every award's public amount.
    projects: dict[str, int] = {}
    amounts: dict[str, Any] = {}
    by_department = (
        CatalogueEntry.objects.order_by()
        .values_list("department__code")
        .annotate(n=Count("pk", filter=Q(kind="ptai")), total=Sum("amount"))
    )
    for code, n, total in by_department:
        projects[code] = n
        amounts[code] = total
    codes = set(contracts) | set(projects)
    departments = Department.objects.filter(code__in=codes).select_related("region").order_by("code")
    rows = [
        {
            "department": d,
            "ctai": contracts.get(d.code, 0),
            "ptai": projects.get(d.code, 0),
            "amount": amounts.get(d.code, 0),
        }
        for d in departments
    ]
    map_data = {row["department"].code: row["ctai"] + row["ptai"] for row in rows}
    authorities = _public_authorities().select_related("department").order_by("name")
    context = {
        "rows": rows,
        "map_json": json.dumps(map_data),
        "total": sum(map_data.values()),
        "authorities": authorities,
    }
    return render(request, "web/public/territories.html", context)


def _public_authorities() -> QuerySet[Authority]:
    """The collectivités with a signed contract or a published award (two indexed subqueries)."""
    return Authority.objects.filter(
        Q(pk__in=_signed_contracts().order_by().values("authority_id"))
        | Q(pk__in=CatalogueEntry.objects.order_by().values("authority_id"))
    )


@login_not_required
@require_GET
def territory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A collectivité's public page: its signed contracts, its funded projects and actions."""
    if not _public_authorities().filter(pk=pk).exists():
        raise Http404("Cette collectivité n'a ni contrat signé ni projet financé.")
    authority = get_object_or_404(Authority.objects.select_related("department", "region"), pk=pk)
    contracts = _signed_contracts().filter(authority=authority).order_by("signed_on")
    # Bounded: the totals of every funded file in one query, then the most recent of each kind (a
    # métropole has hundreds after ten years); the catalogue, filtered, holds them all.
    entries = CatalogueEntry.objects.filter(authority=authority)
    totals = entries.aggregate(
        total=Sum("amount"),
        ptai=Count("pk", filter=Q(kind="ptai")),
        ctai=Count("pk", filter=Q(kind="ctai")),
    )
    shown = (
        entries.select_related("authority", "department")
        .prefetch_related("domains")
        .order_by("-campaign_year", "kind", "title")
    )
    department = authority.department
    catalogue_query = urlencode({"q": authority.name, **({"department": department.code} if department else {})})
    context = {
        "authority": authority,
        "contracts": contracts,
        "projects": list(shown.filter(kind="ptai")[:TERRITORY_ROWS]),
        "actions": list(shown.filter(kind="ctai")[:TERRITORY_ROWS]),
        "counts": {"ptai": totals["ptai"], "ctai": totals["ctai"]},
        "shown_at_most": TERRITORY_ROWS,
        "catalogue_url": f"{reverse('web:catalogue')}?{catalogue_query}",
        "total": totals["total"] or 0,
    }
    return render(request, "web/public/territory_detail.html", context)


# --- The catalogue -----------------------------------------------------------------------------


def search_catalogue(queryset: QuerySet[CatalogueEntry], text: str) -> QuerySet[CatalogueEntry]:
    """Full-text search in French: PostgreSQL's French configuration over the accent-folded text
    (stemmed: "logements" finds "logement"); on SQLite, every folded word as a substring."""
    key = search_key(text)
    if not key:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(key, config="french", search_type="plain")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-campaign_year", "title")
        )
    for word in key.split():
        queryset = queryset.filter(search_text__contains=word)
    return queryset


@login_not_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    entries = CatalogueEntry.objects.select_related("authority", "department").prefetch_related("domains")
    if form.is_valid():
        data = form.cleaned_data
        if data["domain"]:
            entries = entries.filter(domains=data["domain"])
        if data["department"]:
            entries = entries.filter(department=data["department"])
        if data["year"]:
            entries = entries.filter(campaign_year=data["year"])
        if data["public"]:
            entries = entries.filter(public=data["public"])
        if data["min_amount"] is not None:
            entries = entries.filter(amount__gte=data["min_amount"])
        entries = search_catalogue(entries, data["q"])
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "count": page.paginator.count, "query": query.urlencode()}
    return render(request, "web/public/catalogue.html", context)


@login_not_required
@require_GET
def catalogue_entry(request: HttpRequest, key: str) -> HttpResponse:
    entry = get_object_or_404(
        CatalogueEntry.objects.select_related("authority", "department").prefetch_related("domains"), key=key
    )
    siblings = CatalogueEntry.objects.filter(award_key=entry.award_key).exclude(pk=entry.pk).order_by("title")
    context = {"entry": entry, "siblings": siblings}
    return render(request, "web/public/catalogue_entry.html", context)


# --- Contacts (F08) ----------------------------------------------------------------------------


@login_not_required
@require_GET
def contacts(request: HttpRequest) -> HttpResponse:
    """The national mailboxes and the referents of the département of a postcode or a commune."""
    form = ContactSearchForm(request.GET or None)
    matches: list[Authority] = []
    departments: list[Department] = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        matches = [
            a
            for a in Authority.objects.filter(kind=AuthorityKind.COMMUNE).search(form.cleaned_data["q"], limit=10)
            if a.department is not None
        ]
        seen: dict[int, Department] = {}
        for authority in matches:
            assert authority.department is not None
            seen.setdefault(authority.department.pk, authority.department)
        departments = list(seen.values())
    referents = Referent.objects.filter(department__in=departments).select_related("department")
    by_department: dict[int, list[Referent]] = defaultdict(list)
    for referent in referents:
        by_department[referent.department_id].append(referent)
    results = [{"department": d, "referents": by_department.get(d.pk, [])} for d in departments]
    covered = Department.objects.filter(referents__isnull=False).distinct().order_by("code")
    context = {"form": form, "matches": matches, "results": results, "covered": covered}
    return render(request, "web/public/contacts.html", context)


# --- Eligibility (F02, F04-F06) ---------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def eligibility(request: HttpRequest) -> HttpResponse:
    """The questionnaire is posted (never in the address, so never in a server's access log) and
    answered at once; nothing of it is stored or logged."""
    campaign = current_campaign()
    rules = campaign.rules() if campaign else {"newcomer_horizon_years": 5}
    answer = None
    form = EligibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = assess(form.person(), rules, today=timezone.localdate())
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"form": form, "answer": answer, "rules": rules, "campaign": campaign}
    response = render(request, "web/public/eligibility.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


# --- Open data ---------------------------------------------------------------------------------


def _publication(kind: str) -> Publication:
    found = Publication.objects.filter(kind=kind).first()
    if found is None:
        publish()
        found = Publication.objects.get(kind=kind)
    return found


SCDL_FIELDS = [
    ("nomAttribuant", "Nom de la préfecture qui attribue (le préfet engage les crédits)."),
    ("idAttribuant", "SIRET de la préfecture."),
    ("dateConvention", "Date de l'engagement (arrêté ou convention)."),
    ("referenceDecision", "Référence du projet (PTAI) ou de la programmation annuelle (CTAI)."),
    ("nomBeneficiaire", "Collectivité bénéficiaire."),
    ("idBeneficiaire", "SIRET de la collectivité bénéficiaire."),
    ("rnaBeneficiaire", "Vide : les bénéficiaires sont des collectivités."),
    ("objet", "Instrument et intitulé du financement."),
    ("montant", "Montant attribué, en euros."),
    ("nature", "« aide en numéraire »."),
    ("conditionsVersement", "« échelonné » : une avance à l'engagement, le solde au bilan."),
    ("datesPeriodeVersement", "Dates du premier et du dernier versement (à défaut, de l'engagement)."),
    ("idRAE", "Vide : pas une aide aux entreprises."),
    ("notificationUE", "« non »."),
    ("pourcentageSubvention", "1 : un bénéficiaire unique."),
    ("dispositifAide", "« Territoires d'intégration »."),
]
GIVING_FIELDS = [
    ("id", "Identifiant stable de l'attribution."),
    ("title, description", "Intitulé et description publique."),
    ("currency, amountAwarded", "EUR, montant attribué."),
    ("awardDate", "Date de l'engagement."),
    ("recipientOrganization", "Collectivité bénéficiaire (identifiant FR-SIRET-…)."),
    ("fundingOrganization", "Préfecture qui attribue (identifiant FR-SIRET-…)."),
    ("grantProgramme", "Territoires d'intégration — PTAI ou CTAI."),
    ("beneficiaryLocation", "Département (code INSEE)."),
    ("plannedDates", "Période du projet ou de l'année de programmation."),
]


@login_not_required
@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    found = {p.kind: p for p in Publication.objects.defer("content")}
    for kind in PublicationKind:
        if kind not in found:
            found[kind] = _publication(kind)
    files = [
        {
            "id": "scdl",
            "short": "SCDL",
            "title": "Subventions au format SCDL 2.1.1 (CSV)",
            "description": "Le format national des données essentielles des conventions de subvention "
            "(décret n° 2017-779 du 5 mai 2017), encodé en UTF-8, séparateur virgule.",
            "url": request.build_absolute_uri(reverse("web:open_data_scdl")),
            "publication": found[PublicationKind.SCDL],
            "schema": "schema.data.gouv.fr — scdl/subventions 2.1.1",
            "schema_url": "https://schema.data.gouv.fr/scdl/subventions/2.1.1/",
            "fields": SCDL_FIELDS,
        },
        {
            "id": "giving",
            "short": "360Giving",
            "title": "Subventions au format 360Giving 1.4.3 (JSON)",
            "description": "Les mêmes attributions, en paquet de données 360Giving, lisible par les outils "
            "internationaux de suivi des subventions.",
            "url": request.build_absolute_uri(reverse("web:open_data_360giving")),
            "publication": found[PublicationKind.GIVING],
            "schema": "360Giving Data Standard 1.4.3",
            "schema_url": "https://standard.threesixtygiving.org/en/latest/",
            "fields": GIVING_FIELDS,
        },
    ]
    return render(request, "web/public/open_data.html", {"files": files})


def _serve(request: HttpRequest, kind: str, content_type: str, filename: str) -> HttpResponse:
    publication = _publication(kind)
    etag = quote_etag(publication.etag)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(publication.generated_at.timestamp()),
        "Cache-Control": "public, max-age=300",
    }
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(publication.content), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    for name, value in headers.items():
        response[name] = value
    return response


@login_not_required
@require_GET
def open_data_scdl(request: HttpRequest) -> HttpResponse:
    return _serve(request, PublicationKind.SCDL, "text/csv; charset=utf-8", "subventions.csv")


@login_not_required
@require_GET
def open_data_360giving(request: HttpRequest) -> HttpResponse:
    return _serve(request, PublicationKind.GIVING, "application/json", "360giving.json")


@login_not_required
@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    """« Données personnelles »: what is processed, why, how long (the retention settings), whom to ask."""
    days = {
        "notifications": settings.RETENTION_NOTIFICATIONS_DAYS,
        "emails": settings.RETENTION_EMAILS_DAYS,
        "login_logs": settings.RETENTION_LOGIN_LOGS_DAYS,
        "deactivate": settings.RETENTION_ACCOUNT_DEACTIVATE_DAYS,
        "anonymise": settings.RETENTION_ACCOUNT_ANONYMISE_DAYS,
        "audit": settings.RETENTION_AUDIT_DAYS,
    }
    return render(
        request,
        "web/public/personal_data.html",
        {
            "days": days,
            "closed_files_years": settings.RETENTION_CLOSED_FILES_YEARS,
            "contact_email": settings.PERSONAL_DATA_CONTACT_EMAIL,
        },
    )

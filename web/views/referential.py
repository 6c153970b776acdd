from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from audit.models import Event
from referential.enums import AuthorityKind
from referential.models import Authority, Department

TIMELINE_LENGTH = 50


def _openable(user: object, authorities: list[Authority | None], departments: list[Department]) -> dict[str, set[int]]:
    """Ids, among those a page shows, of the pages this user may open: the page links only to those."""
    authority_ids = {a.pk for a in authorities if a is not None}
    department_ids = {d.pk for d in departments}
    openable: dict[str, set[int]] = {"authorities": set(), "departments": set()}
    if authority_ids:
        visible = Authority.objects.for_user(user).filter(pk__in=authority_ids)
        openable["authorities"] = set(visible.values_list("pk", flat=True))
    if department_ids:
        visible_departments = Department.objects.for_user(user).filter(pk__in=department_ids)
        openable["departments"] = set(visible_departments.values_list("pk", flat=True))
    return openable


def authority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    authority = get_object_or_404(
        Authority.objects.for_user(request.user).select_related("department", "region", "epci", "ept"), pk=pk
    )
    members: list[Authority] = []
    if authority.kind == AuthorityKind.EPCI:
        related = "ept_member_communes" if authority.epci_nature == "EPT" else "member_communes"
        members = list(
            getattr(authority, related).order_by("-population", "name").only("pk", "name", "insee_code", "population")
        )
    departments = list(authority.departments.order_by("code"))
    context = {
        "authority": authority,
        "departments": departments,
        "members": members,
        "openable": _openable(request.user, [authority.epci, authority.ept, *members], departments),
        "events": Event.objects.for_target(authority).timeline()[:TIMELINE_LENGTH],
    }
    return render(request, "web/referential/authority_detail.html", context)


def authority_search(request: HttpRequest) -> HttpResponse:
    """Search the collectivités this user may open (works without JavaScript)."""
    query = request.GET.get("q", "")[:100]
    results = Authority.objects.for_user(request.user).search(query, limit=50) if query.strip() else []
    return render(request, "web/referential/authority_search.html", {"query": query, "results": results})


@login_not_required
def authority_picker(request: HttpRequest) -> HttpResponse:
    """htmx fragment of the picker: radio buttons of the matches for the text typed in `field`.

    It searches the whole referential (public data of the Code officiel géographique): a project
    may join partners from other départements. Open without log-in: the public account request
    uses it.
    """
    field = request.GET.get("field", "authority")
    if not field.isidentifier():
        field = "authority"
    query = request.GET.get(field, "")[:100]
    candidates = Authority.objects.search(query, limit=20) if query.strip() else []
    context = {"candidates": candidates, "chosen": None, "field_name": field, "searched": bool(query.strip())}
    return render(request, "web/widgets/authority_picker.html#results", context)


def department_list(request: HttpRequest) -> HttpResponse:
    departments = (
        Department.objects.for_user(request.user)
        .select_related("region")
        .annotate(communes=Count("main_authorities", filter=Q(main_authorities__kind=AuthorityKind.COMMUNE)))
        .order_by("code")
    )
    return render(request, "web/referential/department_list.html", {"departments": departments})


def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not code.isalnum():  # "2A", "38", "971"; anything else (NUL bytes: PostgreSQL error) is no département
        raise Http404
    department = get_object_or_404(Department.objects.for_user(request.user).select_related("region"), code=code)
    authorities = department.authorities.exclude(kind=AuthorityKind.COMMUNE).order_by("kind", "-population")
    communes = department.main_authorities.filter(kind=AuthorityKind.COMMUNE).order_by("-population", "name")
    page = Paginator(
        communes.select_related("epci").only("pk", "name", "insee_code", "population", "epci__name"), 50
    ).get_page(request.GET.get("page"))
    council = department.main_authorities.filter(kind=AuthorityKind.DEPARTEMENT).first()
    groupings = list(authorities.filter(kind=AuthorityKind.EPCI))
    context = {
        "department": department,
        "council": council,
        "groupings": groupings,
        "communes_page": page,
        "openable": _openable(request.user, [council, *groupings, *page], []),
        "events": Event.objects.for_target(department).timeline()[:TIMELINE_LENGTH],
    }
    return render(request, "web/referential/department_detail.html", context)

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from audit.models import Event
from referential.enums import AuthorityKind
from referential.models import Authority, Department

TIMELINE_LENGTH = 50


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
    context = {
        "authority": authority,
        "departments": list(authority.departments.order_by("code")),
        "members": members,
        "events": Event.objects.for_target(authority).timeline()[:TIMELINE_LENGTH],
    }
    return render(request, "web/referential/authority_detail.html", context)


def authority_search(request: HttpRequest) -> HttpResponse:
    """Search the collectivités this user may open (works without JavaScript)."""
    query = request.GET.get("q", "")[:100]
    results = Authority.objects.for_user(request.user).search(query, limit=50) if query.strip() else []
    return render(request, "web/referential/authority_search.html", {"query": query, "results": results})


def authority_picker(request: HttpRequest) -> HttpResponse:
    """htmx fragment of the picker: radio buttons of the matches for the text typed in `field`.

    It searches the whole referential (public data of the Code officiel géographique): a project
    may join partners from other départements.
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
    department = get_object_or_404(Department.objects.for_user(request.user).select_related("region"), code=code)
    authorities = department.authorities.exclude(kind=AuthorityKind.COMMUNE).order_by("kind", "-population")
    communes = department.main_authorities.filter(kind=AuthorityKind.COMMUNE).order_by("-population", "name")
    page = Paginator(
        communes.select_related("epci").only("pk", "name", "insee_code", "population", "epci__name"), 50
    ).get_page(request.GET.get("page"))
    context = {
        "department": department,
        "council": department.main_authorities.filter(kind=AuthorityKind.DEPARTEMENT).first(),
        "groupings": list(authorities.filter(kind=AuthorityKind.EPCI)),
        "communes_page": page,
        "events": Event.objects.for_target(department).timeline()[:TIMELINE_LENGTH],
    }
    return render(request, "web/referential/department_detail.html", context)

"""Every list and detail page runs the same number of SQL queries with 10 rows and with 1 000.

Each budget is the number measured (not a loose ceiling): a page that starts running one query
per row, or one more query for everyone, fails here first. The count includes the queries every
logged-in page runs (session, user, memberships; the savepoint of ATOMIC_REQUESTS).

Each test warms the page up once before counting, so that per-process caches (content types)
do not depend on test order.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from audit.models import Event
from referential.models import Authority
from tests.factories import (
    CC_PETITE_TERRE,
    GRENOBLE,
    METROPOLE_DU_GRAND_PARIS,
    MembershipFactory,
    OperatorFactory,
    commune,
    epci,
    grenoble_metropole,
    isere,
)
from tests.web.personas import PersonaClient, persona

ROWS = [pytest.param(10, id="10 rows"), pytest.param(1000, id="1000 rows")]

# Queries per page, as measured. Every logged-in page starts with 5: savepoint + release
# (ATOMIC_REQUESTS), session, user, memberships (for the navigation and the scope).
BUDGET = {
    "dashboard": 9,  # + the PTAI of every section in one query, CTAI contracts and programmings in two, late reports
    "dashboard_admin": 8,  # + active users count, pending invitations count, late reports
    "user_list": 9,  # + filter form, count, page of users, their memberships
    "user_detail": 11,  # + the person, memberships, timeline; the form
    "invitation_list": 7,  # + count, page with scope and inviter joined
    "authority_detail": 11,  # + authority, its départements, member communes, timeline, openable links (2)
    "department_detail": 12,  # + département, council, EPCI, count and page of communes, timeline, openable links
    "department_list": 6,  # + départements with their commune counts
    "authority_search": 6,
    "authority_picker": 6,
}

Counter = Callable[[int], AbstractContextManager[object]]


def within_budget(client: PersonaClient, url: str, budget: int, counter: Counter) -> str:
    """GET `url` once to warm up, then again counting queries; returns the page."""
    assert client.get(url).status_code == 200
    with counter(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response.text


# --- Data in bulk ------------------------------------------------------------------------------


def add_users(count: int) -> list[User]:
    """`count` users with one role each, the roles and scopes taking turns (every join is used)."""
    users = User.objects.bulk_create(
        User(email=f"agent{i:04}@volume.example.fr", first_name="Prénom", last_name=f"Nom {i:04}", password="!")
        for i in range(count)
    )
    operator = OperatorFactory()
    scopes: list[dict[str, object]] = [
        {"role": Role.AGENT, "authority": grenoble_metropole()},
        {"role": Role.INSTRUCTOR, "department": isere()},
        {"role": Role.PREFECT, "region": isere().region},
        {"role": Role.OPERATOR, "operator": operator},
        {"role": Role.DIAIR},
    ]
    Membership.objects.bulk_create(Membership(user=user, **scopes[i % len(scopes)]) for i, user in enumerate(users))
    return users


def add_invitations(count: int, invited_by: User) -> None:
    now = timezone.now()
    scopes: list[dict[str, object]] = [
        {"role": Role.AGENT, "authority": grenoble_metropole()},
        {"role": Role.INSTRUCTOR, "department": isere()},
        {"role": Role.PREFECT, "region": isere().region},
    ]
    Invitation.objects.bulk_create(
        Invitation(
            email=f"invite{i:04}@volume.example.fr",
            token_hash=f"{i:064x}",
            invited_by=invited_by,
            expires_at=now + timedelta(days=7 if i % 2 else -1),
            revoked_at=now if i % 5 == 0 else None,
            **scopes[i % len(scopes)],
        )
        for i in range(count)
    )


def add_events(target: models.Model, count: int) -> None:
    actors = [MembershipFactory(admin=True).user, None]
    target_type = ContentType.objects.get_for_model(target)
    Event.objects.bulk_create(
        Event(
            actor=actors[i % 2],
            verb="referential.authority_updated",
            target_type=target_type,
            target_id=str(target.pk),
            details={"population": i},
        )
        for i in range(count)
    )


# --- Lists and details, 10 rows vs 1 000 -----------------------------------------------------------


@pytest.mark.parametrize("rows", ROWS)
def test_user_list(admin: PersonaClient, rows: int, django_assert_max_num_queries: Counter) -> None:
    add_users(rows)
    html = within_budget(admin, reverse("web:user_list"), BUDGET["user_list"], django_assert_max_num_queries)
    assert f"{rows + 1} utilisateurs" in html


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("query", ["?role=agent&q=nom", "?page=3", "?page=abc"], ids=["filtered", "page 3", "bad page"])
def test_user_list_filtered_or_paged(
    admin: PersonaClient, rows: int, query: str, django_assert_max_num_queries: Counter
) -> None:
    add_users(rows)
    url = reverse("web:user_list") + query
    within_budget(admin, url, BUDGET["user_list"], django_assert_max_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_user_detail_timeline(admin: PersonaClient, rows: int, django_assert_max_num_queries: Counter) -> None:
    person = MembershipFactory(instructor_isere=True).user
    MembershipFactory(user=person, agent_grenoble=True)
    MembershipFactory(user=person, operator_isere=True)
    add_events(person, rows)
    url = reverse("web:user_detail", args=[person.pk])
    html = within_budget(admin, url, BUDGET["user_detail"], django_assert_max_num_queries)
    assert html.count("Collectivité mise à jour") == min(rows, 50)


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("name", ["admin", "prefect_isere"])
def test_invitation_list(
    request: pytest.FixtureRequest, name: str, rows: int, django_assert_max_num_queries: Counter
) -> None:
    client = persona(request, name)
    assert client.user is not None
    add_invitations(rows, invited_by=client.user)
    html = within_budget(
        client, reverse("web:invitation_list"), BUDGET["invitation_list"], django_assert_max_num_queries
    )
    assert f"{rows} invitations" in html


@pytest.mark.parametrize("rows", ROWS)
def test_authority_detail_timeline(
    instructor_isere: PersonaClient, rows: int, django_assert_max_num_queries: Counter
) -> None:
    metropole = grenoble_metropole()
    add_events(metropole, rows)
    url = reverse("web:authority_detail", args=[metropole.pk])
    html = within_budget(instructor_isere, url, BUDGET["authority_detail"], django_assert_max_num_queries)
    assert html.count("Collectivité mise à jour") == min(rows, 50)


@pytest.mark.parametrize("rows", ROWS)
def test_department_detail_timeline(
    instructor_isere: PersonaClient, rows: int, django_assert_max_num_queries: Counter
) -> None:
    add_events(isere(), rows)
    url = reverse("web:department_detail", args=["38"])
    html = within_budget(instructor_isere, url, BUDGET["department_detail"], django_assert_max_num_queries)
    assert html.count("Collectivité mise à jour") == min(rows, 50)


@pytest.mark.parametrize(
    ("code", "query"),
    [
        pytest.param("38", "", id="Isere, 512 communes, page 1"),
        pytest.param("38", "?page=11", id="Isere, last page"),
        pytest.param("38", "?page=abc", id="Isere, bad page number"),
        pytest.param("38", "?page=999999", id="Isere, page beyond the end"),
        pytest.param("976", "", id="Mayotte, 17 communes"),
        pytest.param("75", "", id="Paris, 1 commune, no council"),
    ],
)
def test_department_detail_small_or_large(
    diair: PersonaClient, code: str, query: str, django_assert_max_num_queries: Counter
) -> None:
    url = reverse("web:department_detail", args=[code]) + query
    within_budget(diair, url, BUDGET["department_detail"], django_assert_max_num_queries)


@pytest.mark.parametrize(
    "fetch",
    [
        pytest.param(lambda: epci(METROPOLE_DU_GRAND_PARIS), id="Metropole du Grand Paris, 130 communes"),
        pytest.param(lambda: epci(CC_PETITE_TERRE), id="CC de Petite-Terre, 2 communes"),
        pytest.param(lambda: epci("200057867"), id="EPT Plaine Commune, communes through ept"),
        pytest.param(lambda: commune("93066"), id="Saint-Denis, commune in an EPCI and an EPT"),
        pytest.param(lambda: commune(GRENOBLE), id="Grenoble, commune in an EPCI"),
        pytest.param(lambda: Authority.objects.get(kind="departement", insee_code="38"), id="Departement de l'Isere"),
        pytest.param(lambda: Authority.objects.get(kind="region", insee_code="84"), id="Region Auvergne-Rhone-Alpes"),
    ],
)
def test_authority_detail_small_or_large(
    diair: PersonaClient, fetch: Callable[[], Authority], django_assert_max_num_queries: Counter
) -> None:
    url = reverse("web:authority_detail", args=[fetch().pk])
    within_budget(diair, url, BUDGET["authority_detail"], django_assert_max_num_queries)


@pytest.mark.parametrize(
    ("name", "count"),
    [("diair", "101 départements"), ("instructor_isere", "1 département"), ("operator_user", "0 départements")],
)
def test_department_list(
    request: pytest.FixtureRequest, name: str, count: str, django_assert_max_num_queries: Counter
) -> None:
    client = persona(request, name)
    html = within_budget(
        client, reverse("web:department_list"), BUDGET["department_list"], django_assert_max_num_queries
    )
    assert f"{count} dans votre périmètre" in html


@pytest.mark.parametrize(
    "name",
    [
        "no_role_user",
        "agent_grenoble",
        "operator_user",
        "instructor_isere",
        "prefect_isere",
        "diair",
        "ministry",
    ],
)
def test_dashboard(request: pytest.FixtureRequest, name: str, django_assert_max_num_queries: Counter) -> None:
    within_budget(persona(request, name), reverse("web:dashboard"), BUDGET["dashboard"], django_assert_max_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_dashboard_admin(admin: PersonaClient, rows: int, django_assert_max_num_queries: Counter) -> None:
    assert admin.user is not None
    add_users(rows)
    add_invitations(rows, invited_by=admin.user)
    html = within_budget(admin, reverse("web:dashboard"), BUDGET["dashboard_admin"], django_assert_max_num_queries)
    assert f"{rows + 1} comptes actifs" in html


@pytest.fixture
def holds_every_role(db: None) -> PersonaClient:
    user = MembershipFactory(agent_grenoble=True).user
    for trait in ("operator_isere", "instructor_isere", "prefect_rhone", "diair", "ministry"):
        MembershipFactory(user=user, **{trait: True})
    return PersonaClient(user)


def test_dashboard_of_someone_with_many_roles(
    holds_every_role: PersonaClient, django_assert_max_num_queries: Counter
) -> None:
    within_budget(holds_every_role, reverse("web:dashboard"), BUDGET["dashboard"], django_assert_max_num_queries)


SEARCHES = [
    pytest.param("", id="nothing typed"),
    pytest.param("zzzz", id="no match"),
    pytest.param("Grenoble", id="a few matches"),
    pytest.param("saint", id="50 matches and more"),
    pytest.param("38185", id="INSEE code"),
    pytest.param("38000", id="postcode"),
    pytest.param("200040715", id="SIREN"),
    pytest.param("2A", id="Corse code"),
]


@pytest.mark.parametrize("query", SEARCHES)
@pytest.mark.parametrize("name", ["instructor_isere", "diair"])
def test_authority_search(
    request: pytest.FixtureRequest, name: str, query: str, django_assert_max_num_queries: Counter
) -> None:
    url = reverse("web:authority_search") + f"?q={query}"
    within_budget(persona(request, name), url, BUDGET["authority_search"], django_assert_max_num_queries)


@pytest.mark.parametrize("query", SEARCHES)
def test_authority_picker(instructor_isere: PersonaClient, query: str, django_assert_max_num_queries: Counter) -> None:
    url = reverse("web:authority_picker") + f"?field=authority&authority={query}"
    within_budget(instructor_isere, url, BUDGET["authority_picker"], django_assert_max_num_queries)

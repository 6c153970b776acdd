"""Who may open which page: every role, every page, inside and outside its territory.

The rule users see: a page about something outside your territory answers 404 (it does not
exist for you), a page for other roles answers 404 too, and an anonymous visitor is sent to the
log-in page, which brings them back where they were going.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from referential.models import Authority
from tests.factories import (
    CLERMONT_FERRAND,
    GRENOBLE,
    LYON,
    MembershipFactory,
    commune,
    department,
    epci,
    grenoble_metropole,
    isere,
    metropole_de_lyon,
    rhone,
)
from tests.web.html import field_errors, form_errors
from tests.web.personas import NATIONAL, PERSONAS, PersonaClient, persona

LOGIN = "login"  # expected: a redirect to the log-in page, with ?next= this page
DASHBOARD = "dashboard"  # expected: a redirect to the dashboard (log-in page for a logged-in user)
DONE = "done"  # expected: the action is done, then a redirect (POST)


@dataclass
class Targets:
    """The objects the pages are about, made afresh for each test."""

    person: User  # an instructeur of Isère, the subject of the pages about users
    membership: Membership
    invitation: Invitation  # sent by an administrator, pending
    token: str


@pytest.fixture
def targets(db: None) -> Targets:
    membership = MembershipFactory(instructor_isere=True)
    inviter = MembershipFactory(admin=True).user
    invitation, token = services.invite(
        actor=inviter, email="nouvelle.instructrice@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere()
    )
    return Targets(person=membership.user, membership=membership, invitation=invitation, token=token)


@dataclass(frozen=True)
class Page:
    label: str  # ASCII, for test ids
    url: Callable[[Targets], str]
    expected: dict[str, str | int]  # persona -> 200, 404, LOGIN, DASHBOARD or DONE; "*" for the others
    method: str = "get"
    data: tuple[tuple[str, str], ...] = ()
    # For actions: did the action happen? Checked after every POST, so that a 404 also proves nothing changed.
    happened: Callable[[Targets], bool] | None = None

    def expected_for(self, name: str) -> str | int:
        return self.expected.get(name, self.expected["*"])


def everyone(status: str | int = 200, anonymous: str | int = 200) -> dict[str, str | int]:
    return {"*": status, "anonymous": anonymous}


def logged_in(status: str | int = 200) -> dict[str, str | int]:
    return {"*": status, "anonymous": LOGIN}


def only(*personas: str, status: str | int = 200) -> dict[str, str | int]:
    """Those personas get `status`; the other logged-in ones 404; anonymous is asked to log in."""
    return {"*": 404, "anonymous": LOGIN, **dict.fromkeys(personas, status)}


def territory(*personas: str) -> dict[str, str | int]:
    """A page about a territory: the personas whose territory it is, and the national roles."""
    return only(*personas, *NATIONAL)


def url(name: str, *args: object, query: str = "") -> Callable[[Targets], str]:
    return lambda _: reverse(name, args=args) + query


def authority_url(fetch: Callable[[], Authority]) -> Callable[[Targets], str]:
    return lambda _: reverse("web:authority_detail", args=[fetch().pk])


ISERE_STATE = ("instructor_isere", "prefect_isere")
RHONE_STATE = ("instructor_rhone", "prefect_rhone")

PAGES = [
    Page("the home page", url("web:home"), everyone()),
    Page("the log-in page", url("login"), everyone(DASHBOARD, anonymous=200)),
    Page("healthz", url("healthz"), everyone()),
    Page("the invitation link", lambda t: reverse("invitation_accept", args=[t.token]), everyone()),
    Page("the dashboard", url("web:dashboard"), logged_in()),
    Page("the collectivite search", url("web:authority_search", query="?q=Grenoble"), logged_in()),
    # The picker is open to visitors: the account request's form uses it.
    Page("the picker", url("web:authority_picker", query="?field=authority&authority=Grenoble"), everyone()),
    Page("the departement list", url("web:department_list"), logged_in()),
    Page("the Isere page", url("web:department_detail", "38"), territory("agent_grenoble", *ISERE_STATE)),
    Page("the Rhone page", url("web:department_detail", "69"), territory("agent_lyon", *RHONE_STATE)),
    Page("the Puy-de-Dome page", url("web:department_detail", "63"), territory()),
    Page(
        "the Grenoble-Alpes-Metropole page",
        authority_url(grenoble_metropole),
        territory("agent_grenoble", *ISERE_STATE),
    ),
    # A member commune of the agent's EPCI is part of the agent's territory.
    Page(
        "the Grenoble commune page", authority_url(lambda: commune(GRENOBLE)), territory("agent_grenoble", *ISERE_STATE)
    ),
    Page("the Metropole de Lyon page", authority_url(metropole_de_lyon), territory("agent_lyon", *RHONE_STATE)),
    Page("the Lyon commune page", authority_url(lambda: commune(LYON)), territory("agent_lyon", *RHONE_STATE)),
    Page("the Clermont-Ferrand page", authority_url(lambda: commune(CLERMONT_FERRAND)), territory()),
    Page("the user list", url("web:user_list"), only("admin")),
    Page("a user page", lambda t: reverse("web:user_detail", args=[t.person.pk]), only("admin")),
    Page("the invitation list", url("web:invitation_list"), only("admin", "prefect_isere", "prefect_rhone")),
    Page("the invitation form", url("web:invitation_create"), only("admin", "prefect_isere", "prefect_rhone")),
    Page(
        "the revocation of an invitation sent by an admin",
        lambda t: reverse("web:invitation_revoke", args=[t.invitation.pk]),
        only("admin", status=DONE),
        method="post",
        happened=lambda t: Invitation.objects.get(pk=t.invitation.pk).revoked_at is not None,
    ),
    Page(
        "the removal of a role",
        lambda t: reverse("web:membership_remove", args=[t.membership.pk]),
        only("admin", status=DONE),
        method="post",
        happened=lambda t: not Membership.objects.filter(pk=t.membership.pk).exists(),
    ),
    Page(
        "the deactivation of an account",
        lambda t: reverse("web:user_set_active", args=[t.person.pk]),
        only("admin", status=DONE),
        method="post",
        data=(("active", "0"),),
        happened=lambda t: not User.objects.get(pk=t.person.pk).is_active,
    ),
]

VERBS = {
    200: "can open",
    404: "gets a 404 on",
    LOGIN: "is asked to log in for",
    DASHBOARD: "is sent to the dashboard from",
    DONE: "can use",
}
MATRIX = [
    pytest.param(page, name, page.expected_for(name), id=f"{name} {VERBS[page.expected_for(name)]} {page.label}")
    for page in PAGES
    for name in PERSONAS
]


def assert_asked_to_log_in(response: object, path: str) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    location = urlsplit(response["Location"])  # type: ignore[index]
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize(("page", "name", "expected"), MATRIX)
def test_permission_matrix(
    request: pytest.FixtureRequest, targets: Targets, page: Page, name: str, expected: str | int
) -> None:
    client = persona(request, name)
    path = page.url(targets)
    response = getattr(client, page.method)(path, dict(page.data))

    if expected == LOGIN:
        assert_asked_to_log_in(response, path)
    elif expected == DASHBOARD:
        assert response.status_code == 302
        assert response["Location"] == reverse("web:dashboard")
    elif expected == DONE:
        assert response.status_code == 302
    else:
        assert response.status_code == expected
    if page.happened is not None:
        assert page.happened(targets) is (expected == DONE)


@pytest.mark.parametrize(
    "name",
    [
        "web:invitation_revoke",
        "web:membership_remove",
        "web:user_set_active",
    ],
)
def test_actions_refuse_get(admin: PersonaClient, targets: Targets, name: str) -> None:
    """A link (GET) never changes anything: actions answer 405 to GET, even for the administrator."""
    pk = {"web:invitation_revoke": targets.invitation.pk, "web:membership_remove": targets.membership.pk}.get(
        name, targets.person.pk
    )
    assert admin.get(reverse(name, args=[pk])).status_code == 405
    assert Membership.objects.filter(pk=targets.membership.pk).exists()
    assert User.objects.get(pk=targets.person.pk).is_active
    assert Invitation.objects.get(pk=targets.invitation.pk).is_usable


# --- Territories, in the words of the people who use them ------------------------------------------


def department_url(code: str) -> str:
    return reverse("web:department_detail", args=[code])


def authority_page(authority: Authority) -> str:
    return reverse("web:authority_detail", args=[authority.pk])


def test_instructeur_isere_cannot_see_rhone_department(instructor_isere: PersonaClient) -> None:
    assert instructor_isere.get(department_url("69")).status_code == 404


def test_instructeur_isere_cannot_open_a_commune_of_rhone(instructor_isere: PersonaClient) -> None:
    assert instructor_isere.get(authority_page(commune(LYON))).status_code == 404
    assert instructor_isere.get(authority_page(metropole_de_lyon())).status_code == 404


def test_instructeur_isere_sees_isere_grenoble_and_its_metropole(instructor_isere: PersonaClient) -> None:
    response = instructor_isere.get(department_url("38"))
    assert response.status_code == 200
    assert "Isère (38)" in response.text
    assert "Grenoble-Alpes-Métropole" in response.text
    response = instructor_isere.get(authority_page(commune(GRENOBLE)))
    assert response.status_code == 200
    assert "<h1>Grenoble</h1>" in response.text
    assert instructor_isere.get(authority_page(grenoble_metropole())).status_code == 200


def test_instructeur_rhone_cannot_see_isere(instructor_rhone: PersonaClient) -> None:
    assert instructor_rhone.get(department_url("38")).status_code == 404
    assert instructor_rhone.get(authority_page(commune(GRENOBLE))).status_code == 404


def test_agent_grenoble_cannot_open_metropole_de_lyon(agent_grenoble: PersonaClient) -> None:
    assert agent_grenoble.get(authority_page(metropole_de_lyon())).status_code == 404


def test_agent_grenoble_cannot_open_rhone_department(agent_grenoble: PersonaClient) -> None:
    assert agent_grenoble.get(department_url("69")).status_code == 404


def test_agent_grenoble_sees_its_metropole_and_the_isere_page(agent_grenoble: PersonaClient) -> None:
    response = agent_grenoble.get(authority_page(grenoble_metropole()))
    assert response.status_code == 200
    assert "Communes membres (49)" in response.text
    assert agent_grenoble.get(department_url("38")).status_code == 200


def test_a_collectivite_spanning_two_departements_is_seen_from_both(db: None) -> None:
    """CC Cœur de Chartreuse spans Isère and Savoie: the instructeurs of both see it."""
    chartreuse = epci("200040111")
    assert sorted(chartreuse.departments.values_list("code", flat=True)) == ["38", "73"]
    for code in ("38", "73"):
        client = PersonaClient(MembershipFactory(role=Role.INSTRUCTOR, department=department(code)).user)
        assert client.get(authority_page(chartreuse)).status_code == 200
    rhone_instructor = PersonaClient(MembershipFactory(instructor_rhone=True).user)
    assert rhone_instructor.get(authority_page(chartreuse)).status_code == 404


def test_prefect_of_region_sees_every_departement_of_the_region(db: None) -> None:
    client = PersonaClient(MembershipFactory(prefect_auvergne_rhone_alpes=True).user)
    for code in ("38", "69", "63"):
        assert client.get(department_url(code)).status_code == 200
    assert client.get(authority_page(commune(LYON))).status_code == 200
    assert client.get(department_url("75")).status_code == 404


def test_department_list_shows_only_the_departements_in_scope(
    instructor_isere: PersonaClient, agent_lyon: PersonaClient, diair: PersonaClient, operator_user: PersonaClient
) -> None:
    response = instructor_isere.get(reverse("web:department_list"))
    assert "1 département dans votre périmètre" in response.text
    assert department_url("38") in response.text
    assert department_url("69") not in response.text
    assert "1 département dans votre périmètre" in agent_lyon.get(reverse("web:department_list")).text
    assert department_url("69") in agent_lyon.get(reverse("web:department_list")).text
    assert "101 départements dans votre périmètre" in diair.get(reverse("web:department_list")).text
    assert "0 départements dans votre périmètre" in operator_user.get(reverse("web:department_list")).text


def test_authority_search_finds_only_collectivites_in_scope(
    instructor_isere: PersonaClient, ministry: PersonaClient
) -> None:
    search = reverse("web:authority_search")
    lyon = authority_page(commune(LYON))
    assert lyon not in instructor_isere.get(search, {"q": "Lyon"}).text
    assert lyon in ministry.get(search, {"q": "Lyon"}).text
    assert authority_page(commune(GRENOBLE)) in instructor_isere.get(search, {"q": "Grenoble"}).text


def test_the_picker_offers_the_whole_referential(instructor_isere: PersonaClient) -> None:
    """By design: the referential is public data, and a project may join partners from elsewhere."""
    response = instructor_isere.get(reverse("web:authority_picker"), {"field": "partner", "partner": "69123"})
    assert response.status_code == 200
    assert 'name="partner_id"' in response.text
    assert "Lyon" in response.text


def test_operator_has_a_dashboard_but_no_territory(operator_user: PersonaClient) -> None:
    response = operator_user.get(reverse("web:dashboard"))
    assert response.status_code == 200
    assert "Vous agissez pour l'opérateur" in response.text
    assert operator_user.get(department_url("38")).status_code == 404
    assert operator_user.get(authority_page(grenoble_metropole())).status_code == 404
    assert "0 résultat" in operator_user.get(reverse("web:authority_search"), {"q": "Grenoble"}).text


def test_user_without_role_is_told_to_ask_for_one(no_role_user: PersonaClient) -> None:
    response = no_role_user.get(reverse("web:dashboard"))
    assert response.status_code == 200
    assert "Aucun rôle ne vous est attribué" in response.text
    assert no_role_user.get(department_url("38")).status_code == 404


def test_deactivated_user_is_logged_out(instructor_isere: PersonaClient) -> None:
    assert instructor_isere.user is not None
    User.objects.filter(pk=instructor_isere.user.pk).update(is_active=False)
    assert_asked_to_log_in(instructor_isere.get(reverse("web:dashboard")), reverse("web:dashboard"))


def test_after_log_in_the_visitor_lands_on_the_page_asked_for(db: None) -> None:
    user = MembershipFactory(instructor_isere=True).user
    client = PersonaClient()
    wanted = department_url("38")
    response = client.get(wanted)
    login_url = response["Location"]
    response = client.post(login_url, {"username": user.email, "password": "motdepasse-solide-2026", "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == wanted


# --- Invitations by a préfet -------------------------------------------------------------------


def invite(client: PersonaClient, **data: str) -> object:
    payload = {"email": "nouvelle.personne@isere.gouv.fr", "first_name": "Inès", "last_name": "Garnier", **data}
    return client.post(reverse("web:invitation_create"), payload)


def test_prefect_isere_invites_an_instructeur_of_isere(
    prefect_isere: PersonaClient, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = invite(prefect_isere, role=Role.INSTRUCTOR, department=str(isere().pk))
    assert response.status_code == 302  # type: ignore[attr-defined]
    invitation = Invitation.objects.get(email="nouvelle.personne@isere.gouv.fr")
    assert (invitation.role, invitation.department, invitation.invited_by) == (
        Role.INSTRUCTOR,
        isere(),
        prefect_isere.user,
    )
    assert [m.to for m in mail.outbox] == [["nouvelle.personne@isere.gouv.fr"]]


def test_prefect_isere_invites_an_agent_of_grenoble_metropole(
    prefect_isere: PersonaClient, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = invite(prefect_isere, role=Role.AGENT, authority="200040715")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Invitation.objects.get(email="nouvelle.personne@isere.gouv.fr").authority == grenoble_metropole()
    assert len(mail.outbox) == 1


def assert_refused(response: object, field: str | None, message: str) -> None:
    """Refused with `message` beside `field` (None: above the form); nothing created, no e-mail."""
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    shown = form_errors(html) if field is None else field_errors(html, f"id_{field}")
    assert any(message in text for text in shown), shown
    assert not Invitation.objects.filter(email="nouvelle.personne@isere.gouv.fr").exists()
    assert mail.outbox == []


def test_prefect_isere_cannot_invite_an_instructeur_of_rhone(
    prefect_isere: PersonaClient, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = invite(prefect_isere, role=Role.INSTRUCTOR, department=str(rhone().pk))
    assert_refused(response, "department", "Sélectionnez un choix valide")


def test_prefect_isere_cannot_invite_a_diair(
    prefect_isere: PersonaClient, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = invite(prefect_isere, role=Role.DIAIR)
    assert_refused(response, "role", "Sélectionnez un choix valide")


def test_prefect_isere_cannot_invite_an_agent_of_metropole_de_lyon(
    prefect_isere: PersonaClient, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = invite(prefect_isere, role=Role.AGENT, authority="200046977")
    assert_refused(response, None, "Vous ne pouvez pas inviter quelqu'un à ce rôle sur ce périmètre.")


def test_prefect_sees_and_revokes_only_his_own_invitations(
    prefect_isere: PersonaClient, prefect_rhone: PersonaClient, admin: PersonaClient
) -> None:
    assert prefect_isere.user is not None
    assert prefect_rhone.user is not None
    mine, _ = services.invite(
        actor=prefect_isere.user, email="a@isere.gouv.fr", role=Role.INSTRUCTOR, department=isere()
    )
    theirs, _ = services.invite(
        actor=prefect_rhone.user, email="b@rhone.gouv.fr", role=Role.INSTRUCTOR, department=rhone()
    )
    listing = prefect_isere.get(reverse("web:invitation_list")).text
    assert "a@isere.gouv.fr" in listing
    assert "b@rhone.gouv.fr" not in listing
    assert "1 invitation" in listing
    both = admin.get(reverse("web:invitation_list")).text
    assert "a@isere.gouv.fr" in both
    assert "b@rhone.gouv.fr" in both

    assert prefect_isere.post(reverse("web:invitation_revoke", args=[theirs.pk])).status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).is_usable
    assert prefect_isere.post(reverse("web:invitation_revoke", args=[mine.pk])).status_code == 302
    assert Invitation.objects.get(pk=mine.pk).status == "annulée"


def test_invitation_link_unknown_used_or_revoked(anonymous: PersonaClient, targets: Targets) -> None:
    assert anonymous.get(reverse("invitation_accept", args=["pas-un-jeton"])).status_code == 404
    Invitation.objects.filter(pk=targets.invitation.pk).update(revoked_at=targets.invitation.created_at)
    response = anonymous.get(reverse("invitation_accept", args=[targets.token]))
    assert response.status_code == 410


def test_admin_cannot_deactivate_his_own_account(admin: PersonaClient) -> None:
    assert admin.user is not None
    response = admin.post(reverse("web:user_set_active", args=[admin.user.pk]), {"active": "0"}, follow=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.text
    assert User.objects.get(pk=admin.user.pk).is_active


# --- Links a user is shown lead to pages they may open ------------------------------------------------


def internal_links(html: str) -> list[str]:
    import re

    links = re.findall(r'href="(/(?:collectivites|departements)/[^"?#]+/)"', html)
    return sorted(set(links))


@pytest.mark.parametrize(
    ("name", "start"),
    [
        pytest.param("instructor_isere", lambda: department_url("38"), id="instructeur Isere on the Isere page"),
        pytest.param("instructor_isere", lambda: authority_page(grenoble_metropole()), id="instructeur Isere on GAM"),
        pytest.param("agent_grenoble", lambda: reverse("web:dashboard"), id="agent Grenoble on the dashboard"),
        pytest.param(
            "agent_grenoble",
            lambda: authority_page(grenoble_metropole()),
            id="agent Grenoble on GAM page (links to its 49 communes)",
        ),
        pytest.param(
            "agent_grenoble",
            lambda: department_url("38"),
            id="agent Grenoble on the Isere page (links to every commune and EPCI)",
        ),
        pytest.param(
            "instructor_isere",
            lambda: authority_page(epci("200040111")),
            id="instructeur Isere on CC Coeur de Chartreuse (links to Savoie)",
        ),
    ],
)
def test_links_shown_lead_to_pages_the_user_may_open(
    request: pytest.FixtureRequest, name: str, start: Callable[[], str]
) -> None:
    client = persona(request, name)
    response = client.get(start())
    assert response.status_code == 200
    links = internal_links(response.text)
    assert links
    broken = [link for link in links if client.get(link).status_code != 200]
    assert broken == []

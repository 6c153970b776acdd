"""No page answers 500 to anything a browser can send; every form error is in French, beside its field.

Bad inputs: nothing, wrong types, a role with the wrong scope, 5 000 characters, NUL bytes (which
PostgreSQL refuses in any query), unknown ids, page numbers that are not numbers or past the end.
A refused form answers 400 and shows the message where the DSFR puts it: inside the field's group
(`tests.web.html.field_errors`), or above the form for what concerns the whole form.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services
from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from tests.factories import PASSWORD, MembershipFactory, UserFactory, grenoble_metropole, isere, rhone
from tests.web.html import all_errors, field_errors, form_errors, text_of
from tests.web.personas import PersonaClient

LONG = "x" * 5000
# What a browser sends for a form left empty: every field, empty. (A body with no field at all
# leaves the form unbound: the page is shown again, blank, with 200.)
EMPTY_INVITATION = dict.fromkeys(
    ["email", "first_name", "last_name", "role", "authority", "operator", "operator_name", "department", "region"], ""
)
NUL = "Jean\x00Pierre"
REQUIRED = "Ce champ est obligatoire."
NUL_REFUSED = "Le caractère nul n\u2019est pas autorisé."  # Django's French, with a typographic apostrophe
INVALID_CHOICE = "Sélectionnez un choix valide."
# Django REST framework (installed after Django) carries its own French for this message, which wins.
INVALID_EMAIL = "Saisissez une adresse e-mail valide."


def errors_beside(response: object, field_id: str) -> list[str]:
    return field_errors(response.content.decode(), field_id)  # type: ignore[attr-defined]


def assert_error_beside(response: object, field_id: str, message: str, status: int = 400) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    shown = errors_beside(response, field_id)
    assert any(message in text for text in shown), f"{message!r} not beside {field_id}: {shown}"


# --- The invitation form ---------------------------------------------------------------------------

GRENOBLE_METROPOLE_SIREN = "200040715"

INVITATION_CASES = [
    pytest.param({}, "id_email", REQUIRED, id="nothing: the address is required"),
    pytest.param({}, "id_role", REQUIRED, id="nothing: the role is required"),
    pytest.param({"email": "pas-une-adresse"}, "id_email", INVALID_EMAIL, id="an address without @"),
    pytest.param({"email": "agent\x00@isere.gouv.fr"}, "id_email", NUL_REFUSED, id="a NUL byte in the address"),
    pytest.param({"first_name": NUL}, "id_first_name", NUL_REFUSED, id="a NUL byte in the first name"),
    pytest.param(
        {"first_name": LONG},
        "id_first_name",
        "Assurez-vous que cette valeur comporte au plus 150 caractères (actuellement 5000).",
        id="5000 characters of first name",
    ),
    pytest.param({"email": LONG + "@isere.gouv.fr"}, "id_email", "au plus 320 caractères", id="5000-char address"),
    pytest.param(
        # Valid for the form (at most 320 characters), too long for the database column (254).
        {"email": "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".fr", "role": Role.ADMIN},
        "id_email",
        "au plus 254 caractères",
        id="a 311-character address",
    ),
    pytest.param({"role": "pape"}, "id_role", INVALID_CHOICE, id="a role that does not exist"),
    pytest.param({"role": LONG}, "id_role", INVALID_CHOICE, id="5000 characters of role"),
    pytest.param(
        {"role": Role.INSTRUCTOR},
        "id_department",
        "Indiquez le périmètre du rôle instructeur : département.",
        id="an instructeur without département",
    ),
    pytest.param(
        {"role": Role.AGENT},
        "id_authority",
        "Indiquez le périmètre du rôle agent de collectivité : collectivité.",
        id="an agent without collectivite",
    ),
    pytest.param(
        {"role": Role.INSTRUCTOR, "authority": GRENOBLE_METROPOLE_SIREN},
        "id_authority",
        "Ce champ ne s'applique pas au rôle instructeur.",
        id="an instructeur of a collectivite (wrong scope)",
    ),
    pytest.param(
        {"role": Role.DIAIR, "department": "@isere"},
        "id_department",
        "Le rôle diair est national : laissez ce champ vide.",
        id="a national role given a departement",
    ),
    pytest.param(
        {"role": Role.PREFECT, "department": "@isere", "region": "@isere.region"},
        "id_region",
        "Un rôle s'exerce sur un seul périmètre : choisissez-en un.",
        id="a prefet of a departement and a region",
    ),
    pytest.param({"role": Role.INSTRUCTOR, "department": "abc"}, "id_department", INVALID_CHOICE, id="departement abc"),
    pytest.param(
        {"role": Role.INSTRUCTOR, "department": "99999999"}, "id_department", INVALID_CHOICE, id="unknown departement"
    ),
    pytest.param(
        {"role": Role.INSTRUCTOR, "department": "9" * 30},
        "id_department",
        INVALID_CHOICE,
        id="departement id beyond 64 bits",
    ),
    pytest.param(
        {"role": Role.INSTRUCTOR, "department": "3\x008"}, "id_department", NUL_REFUSED, id="NUL in departement"
    ),
    pytest.param(
        {"role": Role.OPERATOR, "operator": "abc"}, "id_operator", "Un numéro SIRET compte 14 chiffres.", id="SIRET abc"
    ),
    pytest.param(
        {"role": Role.OPERATOR, "operator": "123 456 789 00011"},
        "id_operator",
        "Ce numéro SIRET n'existe pas (sa clé de contrôle est fausse)",
        id="SIRET with a wrong key",
    ),
    pytest.param(
        {"role": Role.OPERATOR, "operator": "123 456 789 00015"},
        "id_operator_name",
        "Le SIRET 12345678900015 n'est pas encore enregistré : indiquez le nom de l'opérateur.",
        id="new SIRET without a name",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "Zzzzville"},
        "id_authority",
        "Aucune collectivité ne correspond à « Zzzzville ». Vérifiez l'orthographe ou essayez le code INSEE.",
        id="a collectivite that does not exist",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "Saint"},
        "id_authority",
        "20 collectivités correspondent à « Saint » : choisissez-en une dans la liste.",
        id="a collectivite name matching many",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "2A\x00"},
        "id_authority",
        "Aucune collectivité ne correspond",
        id="a collectivite code with a NUL byte",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": LONG},
        "id_authority",
        "Aucune collectivité ne correspond",
        id="5000 characters of collectivite",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "", "authority_id": "999999999"},
        "id_authority",
        "Indiquez le périmètre du rôle agent de collectivité",
        id="an unknown collectivite id",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "", "authority_id": "9" * 30},
        "id_authority",
        "Indiquez le périmètre du rôle agent de collectivité",
        id="a collectivite id beyond 64 bits",
    ),
    pytest.param(
        {"role": Role.AGENT, "authority": "", "authority_id": "²"},
        "id_authority",
        "Indiquez le périmètre du rôle agent de collectivité",
        id="a collectivite id that is a unicode digit but no number",
    ),
]


def resolve(data: dict[str, str]) -> dict[str, str]:
    """Replace the "@isere" placeholders (ids are only known once the database is there)."""
    values = {"@isere": str(isere().pk), "@isere.region": str(isere().region_id)}
    return {key: values.get(value, value) for key, value in data.items()}


@pytest.mark.parametrize(("data", "field_id", "message"), INVITATION_CASES)
def test_invitation_form_errors(
    admin: PersonaClient, data: dict[str, str], field_id: str, message: str, django_capture_on_commit_callbacks: object
) -> None:
    payload = (
        {**EMPTY_INVITATION, "email": "nouvelle.personne@isere.gouv.fr", **resolve(data)} if data else EMPTY_INVITATION
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = admin.post(reverse("web:invitation_create"), payload)
    assert_error_beside(response, field_id, message)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invitation_form_offers_the_matches_of_an_ambiguous_name(admin: PersonaClient) -> None:
    response = admin.post(
        reverse("web:invitation_create"), {"email": "a@isere.gouv.fr", "role": Role.AGENT, "authority": "Grenoble"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="authority-candidates"' in html
    assert f'value="{grenoble_metropole().pk}"' in html


def test_invitation_form_of_a_prefect_has_no_operator_nor_region(prefect_isere: PersonaClient) -> None:
    """Fields a préfet cannot use are not shown, and values posted for them are ignored."""
    operator_pk = str(MembershipFactory(operator_isere=True).operator_id)
    response = prefect_isere.post(
        reverse("web:invitation_create"),
        {"email": "a@isere.gouv.fr", "role": Role.OPERATOR, "operator": operator_pk, "region": "1"},
    )
    assert_error_beside(response, "id_role", INVALID_CHOICE)
    assert 'name="operator"' not in response.content.decode()
    assert not Invitation.objects.exists()


def test_prefect_inviting_outside_his_territory_is_told_above_the_form(prefect_isere: PersonaClient) -> None:
    response = prefect_isere.post(
        reverse("web:invitation_create"), {"email": "a@rhone.gouv.fr", "role": Role.AGENT, "authority": "200046977"}
    )
    assert response.status_code == 400
    assert form_errors(response.content.decode()) == [
        "Vous ne pouvez pas inviter quelqu'un à ce rôle sur ce périmètre."
    ]
    assert not Invitation.objects.exists()


# --- The form that gives a role, on a user's page --------------------------------------------------


@pytest.fixture
def person(db: None) -> User:
    user: User = MembershipFactory(instructor_isere=True).user
    return user


MEMBERSHIP_CASES = [
    pytest.param({}, "id_membership-role", REQUIRED, id="nothing"),
    pytest.param({"role": "\x00"}, "id_membership-role", INVALID_CHOICE, id="a NUL byte as role"),
    pytest.param({"role": LONG}, "id_membership-role", INVALID_CHOICE, id="5000 characters of role"),
    pytest.param(
        {"role": Role.AGENT, "authority": GRENOBLE_METROPOLE_SIREN, "department": "@isere"},
        "id_membership-department",
        "Ce champ ne s'applique pas au rôle agent de collectivité.",
        id="an agent given a departement as well",
    ),
    pytest.param(
        {"role": Role.ADMIN, "authority": GRENOBLE_METROPOLE_SIREN},
        "id_membership-authority",
        "Le rôle administrateur est national : laissez ce champ vide.",
        id="a national role given a collectivite",
    ),
    pytest.param(
        {"role": Role.PREFECT},
        "id_membership-department",
        "Indiquez le périmètre du rôle préfet : département ou région.",
        id="a prefet without territory",
    ),
    pytest.param(
        {"role": Role.OPERATOR, "operator": "999999"},
        "id_membership-operator",
        "Un numéro SIRET compte 14 chiffres.",
        id="short SIRET",
    ),
    pytest.param({"role": Role.PREFECT, "region": "\x00"}, "id_membership-region", NUL_REFUSED, id="NUL region"),
    pytest.param(
        {"role": Role.AGENT, "authority": "\x00" * 5},
        "id_membership-authority",
        "Indiquez le périmètre du rôle agent de collectivité",  # NUL bytes are dropped: nothing was typed
        id="only NUL bytes as collectivite",
    ),
]


@pytest.mark.parametrize(("data", "field_id", "message"), MEMBERSHIP_CASES)
def test_add_membership_form_errors(
    admin: PersonaClient, person: User, data: dict[str, str], field_id: str, message: str
) -> None:
    fields = {
        "role": "",
        "authority": "",
        "operator": "",
        "operator_name": "",
        "department": "",
        "region": "",
        **resolve(data),
    }
    payload = {f"membership-{key}": value for key, value in fields.items()}
    response = admin.post(reverse("web:user_detail", args=[person.pk]), payload)
    assert_error_beside(response, field_id, message)
    assert person.memberships.count() == 1


def test_giving_a_role_twice_is_explained_above_the_form(admin: PersonaClient, person: User) -> None:
    response = admin.post(
        reverse("web:user_detail", args=[person.pk]),
        {"membership-role": Role.INSTRUCTOR, "membership-department": str(isere().pk)},
    )
    assert response.status_code == 400
    assert form_errors(response.content.decode()) == [
        "Cette personne a déjà ce rôle sur ce périmètre, ou le périmètre ne convient pas au rôle."
    ]
    assert person.memberships.count() == 1


def test_giving_a_role_works(admin: PersonaClient, person: User) -> None:
    response = admin.post(
        reverse("web:user_detail", args=[person.pk]),
        {"membership-role": Role.INSTRUCTOR, "membership-department": str(rhone().pk)},
    )
    assert response.status_code == 302
    assert sorted(person.memberships.values_list("department__code", flat=True)) == ["38", "69"]


@pytest.mark.parametrize(
    "path",
    [
        "/administration/utilisateurs/999999999/",
        "/administration/utilisateurs/99999999999999999999999999/",
        "/collectivites/99999999999999999999999999/",
        "/departements/%00/",
        "/departements/3%008/",
        "/departements/" + "9" * 5000 + "/",
        "/invitation/%00/",
        "/invitation/" + "x" * 5000 + "/",
    ],
    ids=[
        "unknown user",
        "user id beyond 64 bits",
        "collectivite id beyond 64 bits",
        "departement code NUL",
        "departement code with a NUL",
        "5000-digit departement code",
        "invitation token NUL",
        "5000-char invitation token",
    ],
)
def test_unknown_objects_answer_404(admin: PersonaClient, path: str) -> None:
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["web:membership_remove", "web:user_set_active", "web:invitation_revoke"],
)
def test_actions_on_unknown_objects_answer_404(admin: PersonaClient, name: str) -> None:
    assert admin.post(reverse(name, args=[999999999])).status_code == 404
    assert admin.post(reverse(name, args=[10**25])).status_code == 404


def test_revoking_twice_is_explained(admin: PersonaClient) -> None:
    assert admin.user is not None
    invitation, _ = services.invite(actor=admin.user, email="a@isere.gouv.fr", role=Role.DIAIR)
    url = reverse("web:invitation_revoke", args=[invitation.pk])
    admin.post(url)
    response = admin.post(url, follow=True)
    assert "Cette invitation n'est plus en attente." in text_of(response.content.decode())


# --- Accepting an invitation -----------------------------------------------------------------------


@pytest.fixture
def invitation_url(admin: PersonaClient) -> str:
    assert admin.user is not None
    _, token = services.invite(
        actor=admin.user,
        email="ines.garnier@isere.gouv.fr",
        first_name="Inès",
        last_name="Garnier",
        role=Role.INSTRUCTOR,
        department=isere(),
    )
    return reverse("invitation_accept", args=[token])


ACCEPT_CASES = [
    pytest.param({}, "id_password1", REQUIRED, id="nothing: password"),
    pytest.param({}, "id_first_name", REQUIRED, id="nothing: first name"),
    pytest.param(
        {"password1": "motdepasse-solide-2026", "password2": "autre-chose-2026"},
        "id_password2",
        "Les deux mots de passe ne sont pas identiques.",
        id="passwords that differ",
    ),
    pytest.param(
        {"password1": "court", "password2": "court"},
        "id_password1",
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
        id="a short password",
    ),
    pytest.param(
        {"password1": "123456789012345", "password2": "123456789012345"},
        "id_password1",
        "Ce mot de passe est entièrement numérique.",
        id="a numeric password",
    ),
    pytest.param(
        {"password1": "ines.garnier@isere", "password2": "ines.garnier@isere"},
        "id_password1",
        "Le mot de passe est trop semblable",
        id="a password like the address",
    ),
    pytest.param(
        {"password1": "motdepasse\x00solide", "password2": "motdepasse\x00solide"},
        "id_password1",
        NUL_REFUSED,
        id="a NUL byte in the password",
    ),
    pytest.param({"first_name": NUL}, "id_first_name", NUL_REFUSED, id="a NUL byte in the first name"),
    pytest.param({"last_name": LONG}, "id_last_name", "au plus 150 caractères", id="5000 characters of last name"),
]


@pytest.mark.parametrize(("data", "field_id", "message"), ACCEPT_CASES)
def test_accept_invitation_form_errors(
    anonymous: PersonaClient, invitation_url: str, data: dict[str, str], field_id: str, message: str
) -> None:
    empty = {"first_name": "", "last_name": "", "password1": "", "password2": ""}
    payload = {**empty, "first_name": "Inès", "last_name": "Garnier", **data} if data else empty
    response = anonymous.post(invitation_url, payload)
    assert_error_beside(response, field_id, message)
    assert not User.objects.filter(email="ines.garnier@isere.gouv.fr").exists()


def test_accept_invitation_with_a_very_long_password(anonymous: PersonaClient, invitation_url: str) -> None:
    """5 000 characters make a valid password: the account is created and the person logged in."""
    password = "Territoire-" * 455
    response = anonymous.post(
        invitation_url, {"first_name": "Inès", "last_name": "Garnier", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    user = User.objects.get(email="ines.garnier@isere.gouv.fr")
    assert user.check_password(password)
    assert list(user.memberships.values_list("role", "department__code")) == [(Role.INSTRUCTOR, "38")]


def test_accepting_a_used_invitation_again_is_refused(anonymous: PersonaClient, invitation_url: str) -> None:
    data = {"first_name": "Inès", "last_name": "Garnier", "password1": PASSWORD, "password2": PASSWORD}
    assert anonymous.post(invitation_url, data).status_code == 302
    response = PersonaClient().post(invitation_url, data)
    assert response.status_code == 410
    assert Membership.objects.filter(user__email="ines.garnier@isere.gouv.fr").count() == 1


# --- Logging in ------------------------------------------------------------------------------------

LOGIN_CASES = [
    pytest.param({}, "id_username", REQUIRED, id="nothing: address"),
    pytest.param({}, "id_password", REQUIRED, id="nothing: password"),
    pytest.param({"username": "a\x00@b.fr", "password": "x"}, "id_username", NUL_REFUSED, id="NUL in the address"),
    pytest.param(
        {"username": "a@b.fr", "password": "mot\x00de\x00passe"}, "id_password", NUL_REFUSED, id="NUL in the password"
    ),
]


@pytest.mark.parametrize(("data", "field_id", "message"), LOGIN_CASES)
def test_login_form_errors(
    anonymous: PersonaClient, db: None, data: dict[str, str], field_id: str, message: str
) -> None:
    response = anonymous.post(reverse("login"), {"username": "", "password": "", **data})
    assert_error_beside(response, field_id, message, status=200)


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("@user", "mauvais-mot-de-passe", id="wrong password"),
        pytest.param("@user", LONG, id="5000-char password"),
        pytest.param("pas-une-adresse", PASSWORD, id="not an address"),
        pytest.param(LONG + "@isere.gouv.fr", PASSWORD, id="5000-char address"),
        pytest.param("@inactive", PASSWORD, id="a deactivated account"),
    ],
)
def test_login_refused_is_explained_above_the_form(
    anonymous: PersonaClient, db: None, username: str, password: str
) -> None:
    """The same message whatever is wrong, so that it does not tell which addresses have an account."""
    users = {"@user": UserFactory(), "@inactive": UserFactory(is_active=False)}
    email = users[username].email if username in users else username
    response = anonymous.post(reverse("login"), {"username": email, "password": password})
    assert response.status_code == 200
    assert form_errors(response.content.decode()) == ["Adresse électronique ou mot de passe incorrect."]


# --- Filtering users, searching collectivités ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field_id", "message"),
    [
        pytest.param({"role": "pape"}, "id_role", INVALID_CHOICE, id="a role that does not exist"),
        pytest.param({"q": "Dupont\x00"}, "id_q", NUL_REFUSED, id="a NUL byte in the search"),
    ],
)
def test_user_filter_errors(admin: PersonaClient, query: dict[str, str], field_id: str, message: str) -> None:
    response = admin.get(reverse("web:user_list"), query)
    assert_error_beside(response, field_id, message, status=200)


@pytest.mark.parametrize(
    "query",
    [
        {"q": LONG},
        {"q": "é" * 5000, "role": Role.AGENT},
        {"page": "abc"},
        {"page": "999999"},
        {"page": "-1"},
        {"page": "\x00"},
        {"page": "9" * 50},
    ],
    ids=["5000 characters", "5000 accents", "page abc", "page 999999", "page -1", "page NUL", "page 10^50"],
)
def test_user_list_takes_any_query(admin: PersonaClient, query: dict[str, str]) -> None:
    response = admin.get(reverse("web:user_list"), query)
    assert response.status_code == 200
    assert all_errors(response.content.decode()) == []


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("web:invitation_list", {"page": "abc"}),
        ("web:invitation_list", {"page": "999999"}),
        ("web:invitation_list", {"page": "\x00"}),
    ],
    ids=["invitations page abc", "invitations page 999999", "invitations page NUL"],
)
def test_invitation_list_takes_any_page(admin: PersonaClient, name: str, query: dict[str, str]) -> None:
    assert admin.get(reverse(name), query).status_code == 200


@pytest.mark.parametrize("page", ["abc", "999999", "0", "\x00", "9" * 50])
def test_department_page_takes_any_page_number(instructor_isere: PersonaClient, page: str) -> None:
    response = instructor_isere.get(reverse("web:department_detail", args=["38"]), {"page": page})
    assert response.status_code == 200
    assert "Isère (38)" in response.content.decode()


SEARCH_INPUTS = [
    "",
    " ",
    "\x00",
    "2A\x00",
    "2b\x00\x00",
    "38\x00185",
    "²³",
    "١٢٣٤٥",  # Arabic-Indic digits: str.isdigit() says yes
    LONG,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "_",
    "Saint-Étienne",
    "Œuvre",
    "🏛️",
]


@pytest.mark.parametrize("text", SEARCH_INPUTS)
def test_authority_search_takes_any_text(instructor_isere: PersonaClient, text: str) -> None:
    response = instructor_isere.get(reverse("web:authority_search"), {"q": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("text", SEARCH_INPUTS)
@pytest.mark.parametrize("field", ["authority", "partner", "1abc", "a-b", "", "\x00", LONG, "é"])
def test_authority_picker_takes_any_text(instructor_isere: PersonaClient, field: str, text: str) -> None:
    response = instructor_isere.get(reverse("web:authority_picker"), {"field": field, field: text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


# --- Property tests: any text at all -----------------------------------------------------------------

# `instructor_isere` is a function-scoped fixture, created once for all the examples of a test,
# which Hypothesis flags (HealthCheck.function_scoped_fixture). It is safe here: the requests
# only read (search pages, no form is saved, the session is not modified), so every example
# meets the same database and the same logged-in client.
READ_ONLY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.django_db
@READ_ONLY
@given(text=st.text())
def test_property_authority_search_never_fails(instructor_isere: PersonaClient, text: str) -> None:
    response = instructor_isere.get(reverse("web:authority_search"), {"q": text})
    assert response.status_code == 200


@pytest.mark.django_db
@READ_ONLY
@given(field=st.one_of(st.just("authority"), st.text(max_size=30)), text=st.text())
def test_property_authority_picker_never_fails(instructor_isere: PersonaClient, field: str, text: str) -> None:
    response = instructor_isere.get(reverse("web:authority_picker"), {"field": field, field: text})
    assert response.status_code == 200


@pytest.mark.django_db
@READ_ONLY
@given(code=st.text(min_size=1).filter(lambda code: "/" not in code))
def test_property_department_page_never_fails(instructor_isere: PersonaClient, code: str) -> None:
    response = instructor_isere.get("/departements/" + quote(code, safe="") + "/")
    assert response.status_code in (200, 404)


def test_admin_gives_the_operator_role_with_a_new_siret_and_a_name(admin: PersonaClient, person: User) -> None:
    """An opérateur is named by its SIRET; a SIRET the platform does not know yet is registered, audited."""
    from audit.models import Event
    from referential.models import Operator

    payload = {
        "membership-role": Role.OPERATOR,
        "membership-operator": "123 456 789 00015",
        "membership-operator_name": "Association Accueil Grenoble",
    }
    response = admin.post(reverse("web:user_detail", args=[person.pk]), payload)
    assert response.status_code == 302
    operator = Operator.objects.get(siret="12345678900015")
    assert operator.name == "Association Accueil Grenoble"
    assert person.memberships.filter(role=Role.OPERATOR, operator=operator).exists()
    assert Event.objects.for_target(operator).get().verb == "referential.operator_created"
    # The same SIRET again finds the same opérateur: no name needed, nothing duplicated.
    other = UserFactory()
    payload["membership-operator_name"] = ""
    response = admin.post(reverse("web:user_detail", args=[other.pk]), payload)
    assert response.status_code == 302
    assert Operator.objects.filter(siret="12345678900015").count() == 1

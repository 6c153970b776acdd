"""Account requests: a collectivité's agent asks for an account from the how-to pages; the préfecture
of its département is told, accepts (an invitation e-mail whose link opens the account) or refuses
with a reason (a French e-mail). Another département's agents neither see nor decide it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.enums import Role
from accounts.models import Invitation, Membership
from messaging.models import Notification
from public.models import AccountRequest, AccountRequestState
from tests.factories import grenoble_metropole
from tests.mail import links, recipients

pytestmark = pytest.mark.django_db

REQUEST = {
    "first_name": "Léa",
    "last_name": "Martin",
    "email": "Lea.Martin@grenoblealpesmetropole.fr",
    "function": "Chargée de mission cohésion sociale",
}


def ask(**extra: str) -> AccountRequest:
    metro = grenoble_metropole()
    response = Client().post("/demander-un-compte/", {**REQUEST, "authority": "", "authority_id": metro.pk, **extra})
    assert response.status_code == 200, response.content.decode()
    assert "Votre demande de compte pour Grenoble-Alpes-Métropole est transmise" in response.content.decode()
    return AccountRequest.objects.get()


def test_the_how_to_pages_lead_to_the_account_request_form():
    for page in ("/comment-signer-un-ctai/", "/comment-financer-un-ptai/"):
        assert 'href="/demander-un-compte/"' in Client().get(page).content.decode()
    assert Client().get("/demander-un-compte/").status_code == 200


def test_an_agent_asks_and_the_prefecture_of_isere_is_told(
    instructor_isere, prefect_isere, instructor_rhone, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = ask()
    assert request.email == "lea.martin@grenoblealpesmetropole.fr"
    assert request.state == AccountRequestState.PENDING
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {instructor_isere.user.email, prefect_isere.user.email}
    assert recipients(mail.outbox) == told
    assert "http://testserver/demandes-de-compte/" in links(mail.outbox[0])
    assert "Léa Martin" in instructor_isere.get("/demandes-de-compte/").content.decode()
    assert "Léa Martin" not in instructor_rhone.get("/demandes-de-compte/").content.decode()
    # Asked twice: one request, nobody told twice.
    ask()
    assert AccountRequest.objects.count() == 1
    assert Notification.objects.count() == 2


def test_the_prefecture_accepts_and_the_invitation_opens_an_agent_account(
    instructor_isere, django_capture_on_commit_callbacks
):
    request = ask()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_isere.post(f"/demandes-de-compte/{request.pk}/accepter/", follow=True)
    assert "une invitation est envoyée à lea.martin@grenoblealpesmetropole.fr" in response.content.decode()
    request.refresh_from_db()
    assert request.state == AccountRequestState.ACCEPTED and request.reviewed_by == instructor_isere.user
    invitation = Invitation.objects.get()
    assert invitation.role == Role.AGENT and invitation.authority == grenoble_metropole()
    assert recipients(mail.outbox) == {"lea.martin@grenoblealpesmetropole.fr"}
    link = next(url for url in links(mail.outbox[0]) if "/invitation" in url)
    assert link.startswith("http://testserver/")
    accepted = Client().post(
        link.removeprefix("http://testserver"),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "password1": "Une-phrase-longue-2026",
            "password2": "Une-phrase-longue-2026",
        },
    )
    assert accepted.status_code == 302
    assert Membership.objects.filter(
        user__email="lea.martin@grenoblealpesmetropole.fr", role=Role.AGENT, authority=grenoble_metropole()
    ).exists()
    # A second click changes nothing.
    again = instructor_isere.post(f"/demandes-de-compte/{request.pk}/accepter/", follow=True)
    assert "Cette demande a déjà été examinée." in again.content.decode()
    assert Invitation.objects.count() == 1


def test_the_prefecture_refuses_with_a_reason_sent_in_french(prefect_isere, django_capture_on_commit_callbacks):
    request = ask()
    mail.outbox.clear()
    without = prefect_isere.post(f"/demandes-de-compte/{request.pk}/refuser/", {"reason": " "}, follow=True)
    assert "Donnez le motif du refus" in without.content.decode()
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        prefect_isere.post(f"/demandes-de-compte/{request.pk}/refuser/", {"reason": "Adresse hors de la métropole."})
    request.refresh_from_db()
    assert request.state == AccountRequestState.REFUSED
    assert recipients(mail.outbox) == {"lea.martin@grenoblealpesmetropole.fr"}
    assert "n'a pas été acceptée" in mail.outbox[0].body
    assert "Motif : Adresse hors de la métropole." in mail.outbox[0].body
    assert not Invitation.objects.exists()


def test_another_departement_cannot_decide_and_other_roles_have_no_page(instructor_rhone, agent_grenoble):
    request = ask()
    assert instructor_rhone.post(f"/demandes-de-compte/{request.pk}/accepter/").status_code == 404
    assert agent_grenoble.get("/demandes-de-compte/").status_code == 404
    request.refresh_from_db()
    assert request.state == AccountRequestState.PENDING


def test_a_bad_request_answers_in_french():
    response = Client().post("/demander-un-compte/", {**REQUEST, "email": "pas-une-adresse", "authority": "Zzzyx"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["email"] == ["Saisissez une adresse e-mail valide."]
    assert "Aucune collectivité ne correspond" in errors["authority"][0]
    assert not AccountRequest.objects.exists()

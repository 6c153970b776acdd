"""The préfet's délégation de signature (F38): the préfet of Isère gives it to an instructeur of Isère
from the "Délégations de signature" page; the instructeur then commits and pays Isère's credits.
Another département's instructeurs are not on the page and cannot be chosen; other roles get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership
from audit.models import Event
from tests.web.html import text_of
from tests.web.personas import PERSONAS, PersonaClient, persona

pytestmark = pytest.mark.django_db
URL = reverse("web:signing_delegations")


def test_f38_the_prefect_gives_then_takes_back_his_signing_delegation(
    prefect_isere: PersonaClient, instructor_isere: PersonaClient, instructor_rhone: PersonaClient
) -> None:
    page = text_of(prefect_isere.get(URL).text)
    assert str(instructor_isere.user) in page
    assert str(instructor_rhone.user) not in page
    membership = Membership.objects.get(user=instructor_isere.user)

    response = prefect_isere.post(URL, {"role": membership.pk, "delegation": "1"}, follow=True)
    assert f"{instructor_isere.user} a maintenant votre délégation de signature pour Isère (38)." in text_of(
        response.text
    )
    membership.refresh_from_db()
    assert membership.signing_delegation is True
    assert Event.objects.filter(verb="accounts.signing_delegation_granted", actor=prefect_isere.user).exists()

    prefect_isere.post(URL, {"role": membership.pk, "delegation": "0"})
    membership.refresh_from_db()
    assert membership.signing_delegation is False


def test_an_instructeur_of_another_departement_cannot_be_chosen(
    prefect_isere: PersonaClient, instructor_rhone: PersonaClient
) -> None:
    membership = Membership.objects.get(user=instructor_rhone.user)
    assert prefect_isere.post(URL, {"role": membership.pk, "delegation": "1"}).status_code == 404
    membership.refresh_from_db()
    assert membership.signing_delegation is False


@pytest.mark.parametrize("name", [p for p in PERSONAS if p not in ("prefect_isere", "prefect_rhone", "admin")])
def test_only_prefects_and_administrators_open_the_page(request: pytest.FixtureRequest, name: str) -> None:
    response = persona(request, name).get(URL)
    expected = 302 if name == "anonymous" else 404  # the anonymous visitor is sent to the log-in page
    assert response.status_code == expected

"""F08 « Référents locaux »: the préfecture's agents keep the referents of their département, and the
public page « Vos contacts locaux » shows them; another département's agents cannot touch them."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import Event
from public.models import Referent
from tests.factories import isere, rhone

pytestmark = pytest.mark.django_db

FORM = {
    "service": "Bureau de l'intégration",
    "role": "Référent Territoires d'intégration",
    "email": "integration@isere.gouv.fr",
    "phone": "04 76 60 34 00",
    "position": "1",
}


def test_f08_an_instructeur_of_isere_adds_a_referent_the_public_then_finds(instructor_isere):
    response = instructor_isere.post("/referents/nouveau/", {**FORM, "department": isere().pk})
    assert response.status_code == 302 and response["Location"] == "/referents/"
    referent = Referent.objects.get()
    assert referent.department == isere()
    assert Event.objects.filter(verb="public.referent_created").exists()
    public = Client().get("/contacts/", {"q": "38000"}).content.decode()
    assert "Bureau de l&#x27;intégration" in public and "integration@isere.gouv.fr" in public


def test_f08_a_prefect_edits_then_deletes_a_referent_of_his_departement(prefect_isere):
    referent = Referent.objects.create(department=isere(), service="Ancien service", role="Contact", email="a@b.fr")
    listing = prefect_isere.get("/referents/").content.decode()
    assert "Ancien service" in listing
    response = prefect_isere.post(f"/referents/{referent.pk}/", {**FORM, "department": isere().pk})
    assert response.status_code == 302
    referent.refresh_from_db()
    assert referent.service == "Bureau de l'intégration"
    prefect_isere.post(f"/referents/{referent.pk}/supprimer/")
    assert not Referent.objects.exists()
    assert Event.objects.filter(verb="public.referent_deleted").exists()


def test_an_instructeur_of_rhone_cannot_see_edit_or_delete_a_referent_of_isere(instructor_rhone):
    referent = Referent.objects.create(department=isere(), service="Préfecture de l'Isère", role="r", email="a@b.fr")
    assert "Préfecture de l" not in instructor_rhone.get("/referents/").content.decode()
    assert instructor_rhone.get(f"/referents/{referent.pk}/").status_code == 404
    assert instructor_rhone.post(f"/referents/{referent.pk}/", {**FORM, "department": rhone().pk}).status_code == 404
    assert instructor_rhone.post(f"/referents/{referent.pk}/supprimer/").status_code == 404
    # Nor move one into Isère: the département is chosen among his own.
    response = instructor_rhone.post("/referents/nouveau/", {**FORM, "department": isere().pk})
    assert response.status_code == 400
    assert "department" in response.context["form"].errors
    assert Referent.objects.count() == 1


@pytest.mark.parametrize("persona_name", ["agent_grenoble", "operator_user", "diair"])
def test_other_roles_have_no_referent_page(request, persona_name):
    client = request.getfixturevalue(persona_name)
    assert client.get("/referents/").status_code == 404
    assert client.get("/referents/nouveau/").status_code == 404


def test_a_bad_referent_form_answers_in_french(instructor_isere):
    response = instructor_isere.post(
        "/referents/nouveau/", {**FORM, "email": "pas-une-adresse", "department": isere().pk}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Saisissez une adresse e-mail valide."]

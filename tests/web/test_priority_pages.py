"""F13: the priorities of the national strategy for the reception and integration of refugees (2018),
a referential of the programme seeded by a data migration and edited by administrators as the domains
are; the Diair and the Ministère read it, others get 404; the API lists it for the actions' `priority`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.urls import reverse

from audit.models import Event
from programme.models import Priority
from tests.api.conftest import API, ApiClient
from tests.projects.conftest import make_persona
from tests.web.html import field_errors, text_of
from tests.web.personas import PERSONAS, PersonaClient, persona

pytestmark = pytest.mark.django_db
Counter = Callable[[int], AbstractContextManager[object]]

READERS = ("diair", "ministry", "admin")
OUTSIDERS = tuple(name for name in PERSONAS if name not in READERS and name != "anonymous")
SEEDED = [
    ("pilotage", "Renforcer le pilotage de la politique d'intégration des réfugiés"),
    ("parcours", "Engager chaque réfugié dans un parcours d'intégration renforcé"),
    ("langue-formation-emploi", "Améliorer la maîtrise de la langue française et l'accès à la formation et à l'emploi"),
    ("logement", "Garantir l'accès au logement"),
    ("soins", "Améliorer l'accès aux soins"),
    ("droits", "Améliorer l'accès aux droits"),
    ("liens-societe", "Favoriser les liens entre les réfugiés et la société française"),
]


def test_f13_the_migration_seeds_the_seven_priorities_of_the_2018_strategy() -> None:
    assert list(Priority.objects.values_list("code", "label")) == SEEDED


@pytest.mark.parametrize("name", READERS)
def test_f13_administrators_diair_and_ministry_read_the_priorities(request: pytest.FixtureRequest, name: str) -> None:
    page = text_of(persona(request, name).get(reverse("web:priority_list")).text)
    assert all(label in page for _, label in SEEDED)
    assert "comité interministériel à l'intégration du 5 juin 2018" in page
    assert ("Modifier le libellé de « Garantir l'accès au logement »" in page) == (name == "admin")


@pytest.mark.parametrize("name", OUTSIDERS)
def test_f13_others_get_404(request: pytest.FixtureRequest, name: str) -> None:
    client = persona(request, name)
    assert client.get(reverse("web:priority_list")).status_code == 404
    assert client.post(reverse("web:priority_edit", args=["logement"]), {"label": "x"}).status_code == 404
    assert Priority.objects.get(code="logement").label == "Garantir l'accès au logement"


@pytest.mark.parametrize("name", ["diair", "ministry"])
def test_f13_only_administrators_edit(request: pytest.FixtureRequest, name: str) -> None:
    assert persona(request, name).get(reverse("web:priority_edit", args=["logement"])).status_code == 404


def test_f13_an_administrator_rewords_a_priority_its_code_stays(admin: PersonaClient) -> None:
    url = reverse("web:priority_edit", args=["soins"])
    assert admin.post(url, {"label": "Améliorer l'accès aux soins et à la santé mentale"}).status_code == 302
    priority = Priority.objects.get(code="soins")
    assert priority.label == "Améliorer l'accès aux soins et à la santé mentale"
    event = Event.objects.get(verb="programme.priority_renamed")
    reworded = "Améliorer l'accès aux soins → Améliorer l'accès aux soins et à la santé mentale"
    assert event.details == {"libellé": reworded}
    assert "Libellé de la priorité de la stratégie nationale modifié" in admin.get(url).text
    response = admin.post(url, {"label": ""})
    assert response.status_code == 400
    assert field_errors(response.text, "id_label") == ["Ce champ est obligatoire."]


def test_f13_the_campaign_list_links_to_the_priorities(admin: PersonaClient) -> None:
    assert reverse("web:priority_list") in admin.get(reverse("web:campaign_list")).text


def test_f13_the_priority_list_query_budget(admin: PersonaClient, django_assert_max_num_queries: Counter) -> None:
    url = reverse("web:priority_list")
    admin.get(url)
    with django_assert_max_num_queries(6):
        assert admin.get(url).status_code == 200


def test_f13_the_api_lists_the_priorities_for_the_actions() -> None:
    rows = ApiClient(make_persona("agent_lead")).get_json(f"{API}/priorities/")
    assert [(row["code"], row["label"]) for row in rows] == SEEDED
    assert ApiClient(make_persona("agent_lead")).get_json(f"{API}/priorities/logement/")["position"] == 4

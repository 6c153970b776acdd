"""Issue 10: "(Optionnel)" only beside a field the user may leave empty for good.

A draft's field that blocks the submission (the project's dates, its domains) is not marked, even if
the draft saves without it; the filters of a list are not marked; a box left unticked is an answer.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.models import Project
from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db


def labels(html: str) -> dict[str, str]:
    """Each <label>/<legend> of the page, by the field it names: its visible text, spaces folded."""
    found = {}
    for match in re.finditer(r'<(label|legend)[^>]*(?:for="([^"]+)"|id="([^"]+)-legend")[^>]*>(.*?)</\1>', html, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", match.group(4)).split())
        found[match.group(2) or match.group(3)] = text
    return found


@pytest.fixture
def draft(db: None) -> Project:
    return ProjectFactory()


def test_the_fields_a_submission_needs_are_not_optional(agent_grenoble: PersonaClient, draft: Project) -> None:
    page = agent_grenoble.get(reverse("web:project_step", args=[draft.pk, "projet"])).text
    found = labels(page)
    for field in ("id_title", "id_summary", "id_start_date", "id_end_date", "id_domains", "id_bpi_justification"):
        assert "(Optionnel)" not in found[field], found[field]
    assert "Sauf mention « (Optionnel) », chaque champ est nécessaire au dépôt du dossier." in page


def test_a_field_left_empty_for_good_says_optionnel(agent_grenoble: PersonaClient, draft: Project) -> None:
    found = labels(agent_grenoble.get(reverse("web:project_step", args=[draft.pk, "public"])).text)
    assert "(Optionnel)" in found["id_cir_link"]
    found = labels(agent_grenoble.get(reverse("web:project_step", args=[draft.pk, "action"])).text)
    assert "(Optionnel)" in found["id_rna"]
    assert "(Optionnel)" not in found["id_siret"]  # needed when an association carries the action


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("instructor_isere", "web:project_list"),
        ("instructor_isere", "web:contract_list"),
        ("ministry", "web:ledger"),
        ("admin", "web:user_list"),
    ],
)
def test_the_filters_of_a_list_are_not_marked(request: pytest.FixtureRequest, persona: str, url: str) -> None:
    client: PersonaClient = request.getfixturevalue(persona)
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert "(Optionnel)" not in response.text

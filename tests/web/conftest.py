"""Personas: one logged-in browser (a Django test `Client`) per role, on real territories.

Each fixture answers a `PersonaClient`: a `Client` already logged in, with the person as `.user`.
So a test reads like the sentence it checks:

    def test_instructeur_isere_cannot_see_rhone_department(instructor_isere):
        assert instructor_isere.get(department_url("69")).status_code == 404

`tests.web.personas.persona(request, name)` gives the fixture by name, for tables of
(persona, page, expected status); "anonymous" is a client that is not logged in.
"""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.web.personas import PersonaClient


def _persona(**trait: bool) -> PersonaClient:
    return PersonaClient(MembershipFactory(**trait).user)


@pytest.fixture
def anonymous() -> PersonaClient:
    return PersonaClient()


@pytest.fixture
def no_role_user(db: None) -> PersonaClient:
    """Has an account but no role (every role was removed, or the invitation is not accepted)."""
    return PersonaClient(UserFactory())


@pytest.fixture
def agent_grenoble(db: None) -> PersonaClient:
    """Agent of Grenoble-Alpes-Métropole (EPCI, Isère)."""
    return _persona(agent_grenoble=True)


@pytest.fixture
def agent_lyon(db: None) -> PersonaClient:
    """Agent of the Métropole de Lyon (Rhône)."""
    return _persona(agent_lyon=True)


@pytest.fixture
def operator_user(db: None) -> PersonaClient:
    """Works for an association (opérateur) based in Isère: no territorial scope."""
    return _persona(operator_isere=True)


@pytest.fixture
def instructor_isere(db: None) -> PersonaClient:
    return _persona(instructor_isere=True)


@pytest.fixture
def instructor_rhone(db: None) -> PersonaClient:
    return _persona(instructor_rhone=True)


@pytest.fixture
def prefect_isere(db: None) -> PersonaClient:
    return _persona(prefect_isere=True)


@pytest.fixture
def prefect_rhone(db: None) -> PersonaClient:
    return _persona(prefect_rhone=True)


@pytest.fixture
def diair(db: None) -> PersonaClient:
    return _persona(diair=True)


@pytest.fixture
def ministry(db: None) -> PersonaClient:
    return _persona(ministry=True)


@pytest.fixture
def admin(db: None) -> PersonaClient:
    return _persona(admin=True)

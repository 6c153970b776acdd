"""A logged-in test browser per persona; the fixtures are in `tests/web/conftest.py`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User

# Every persona fixture, anonymous first. National roles see the whole country.
PERSONAS = (
    "anonymous",
    "no_role_user",
    "agent_grenoble",
    "agent_lyon",
    "operator_user",
    "instructor_isere",
    "instructor_rhone",
    "prefect_isere",
    "prefect_rhone",
    "diair",
    "ministry",
    "admin",
)
NATIONAL = ("diair", "ministry", "admin")


class PersonaClient(Client):
    """A test browser logged in as `user` (None: anonymous)."""

    user: User | None

    def __init__(self, user: User | None = None, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.user = user
        if user is not None:
            self.force_login(user)

    def __repr__(self) -> str:
        return f"<PersonaClient {self.user.email if self.user else 'anonymous'}>"


def persona(request: pytest.FixtureRequest, name: str) -> PersonaClient:
    """The persona fixture called `name`, for tests parametrized by persona."""
    client: PersonaClient = request.getfixturevalue(name)
    return client

"""API callers: a `Client` that sends `Authorization: Token …` for a persona, or a session.

    def test_instructeur_isere_sees_isere(api_instructor_isere):
        assert api_instructor_isere.get_json("/api/v1/departements/")["count"] == 1

The anonymous throttle counts requests per address in the cache: it is emptied before each test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from demo.accounts import seed_demo_accounts
from demo.finance import seed_demo_finance
from tests.factories import MembershipFactory, UserFactory, api_key

API = "/api/v1"


class ApiClient(Client):
    """Calls the API as `user` with their token (None: anonymous, no Authorization header)."""

    user: User | None

    def __init__(self, user: User | None = None, **defaults: Any) -> None:
        self.user = user
        self.token = api_key(user) if user is not None else None
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        super().__init__(headers=headers, **defaults)

    def get_json(self, url: str, expected: int = 200, **params: Any) -> Any:
        response = self.get(url, params)
        assert response.status_code == expected, response.content
        assert response["Content-Type"] == "application/json"
        return response.json()

    def post_json(self, url: str, data: Any = None, **extra: Any) -> Any:
        return self.post(url, json.dumps(data if data is not None else {}), content_type="application/json", **extra)

    def __repr__(self) -> str:
        return f"<ApiClient {self.user.email if self.user else 'anonymous'}>"


def _caller(**trait: bool) -> ApiClient:
    return ApiClient(MembershipFactory(**trait).user)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def api_anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_no_role(db: None) -> ApiClient:
    return ApiClient(UserFactory())


@pytest.fixture
def api_agent_grenoble(db: None) -> ApiClient:
    return _caller(agent_grenoble=True)


@pytest.fixture
def api_operator(db: None) -> ApiClient:
    return _caller(operator_isere=True)


@pytest.fixture
def api_instructor_isere(db: None) -> ApiClient:
    return _caller(instructor_isere=True)


@pytest.fixture
def api_instructor_rhone(db: None) -> ApiClient:
    return _caller(instructor_rhone=True)


@pytest.fixture
def api_prefect_region(db: None) -> ApiClient:
    """Préfet de la région Auvergne-Rhône-Alpes."""
    return _caller(prefect_auvergne_rhone_alpes=True)


@pytest.fixture
def api_ministry(db: None) -> ApiClient:
    return _caller(ministry=True)


@pytest.fixture
def api_admin(db: None) -> ApiClient:
    return _caller(admin=True)


@pytest.fixture
def demo_money(db: None) -> None:
    seed_demo_accounts()  # the Ministère's demo agent opens and delegates the credits
    seed_demo_finance()


def all_rows(client: ApiClient, url: str, **params: object) -> list[dict[str, object]]:
    """Every row of a paginated list, following `next`."""
    body = client.get_json(url, **params)
    rows = list(body["results"])
    while body["next"]:
        body = client.get_json(body["next"])
        rows += body["results"]
    assert len(rows) == body["count"]
    return rows

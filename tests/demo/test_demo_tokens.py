"""`seed_demo` gives every demo account an API token and lists them in a JSON file; a second run
keeps the same tokens. (Read from the package's shared seed, run twice: `conftest.py`.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.models import ApiToken
from demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_one_token_per_demo_account(db_access: dict[str, Any]) -> None:
    tokens_file = db_access["tokens_file"]
    assert f"Jetons d'API des comptes de démonstration : {tokens_file}" in db_access["first"]
    entries = json.loads(tokens_file.read_text())
    assert [e["email"] for e in entries] == [a.address for a in DEMO_ACCOUNTS]
    assert all(set(e) == {"email", "role", "scope", "token"} for e in entries)
    by_email = {e["email"]: e for e in entries}
    assert by_email["instructeur.isere@demo.territoires-integration.fr"]["scope"] == "Isère (38)"
    assert by_email["instructeur.isere@demo.territoires-integration.fr"]["role"] == "instructor"
    assert by_email["agent.grenoble@demo.territoires-integration.fr"]["scope"] == "Grenoble-Alpes-Métropole"
    assert by_email["ministere@demo.territoires-integration.fr"]["scope"] == "National"
    demo_hashes = set(
        ApiToken.objects.filter(user__email__in=[a.address for a in DEMO_ACCOUNTS]).values_list("key_hash", flat=True)
    )
    assert {ApiToken.hash_key(e["token"]) for e in entries} == demo_hashes
    assert not ApiToken.objects.filter(key_hash__in=[e["token"] for e in entries]).exists()  # never in clear
    assert len({e["token"] for e in entries}) == len(DEMO_ACCOUNTS)
    assert tokens_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_second_run_keeps_the_tokens(db_access: dict[str, Any]) -> None:
    assert db_access["tokens_file"].read_text() == db_access["first_tokens"]
    assert ApiToken.objects.filter(user__email__in=[a.address for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)


def test_a_demo_token_opens_the_api(db_access: dict[str, Any]) -> None:
    entry = next(e for e in json.loads(db_access["tokens_file"].read_text()) if e["role"] == "instructor")
    response = Client(headers={"Authorization": f"Token {entry['token']}"}).get("/api/v1/envelopes/")
    assert response.status_code == 200
    assert {row["departement"] for row in response.json()["results"]} == {"38"}

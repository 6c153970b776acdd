"""`seed_demo` gives every demo account an API token and lists them in a JSON file; a second run
keeps the same tokens."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import ApiToken
from demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def seed(tokens_file: Path) -> str:
    out = StringIO()
    call_command("seed_demo", tokens_file=tokens_file, stdout=out)
    return out.getvalue()


def test_seed_demo_writes_one_token_per_demo_account(tmp_path: Path) -> None:
    tokens_file = tmp_path / "var" / "demo-tokens.json"
    output = seed(tokens_file)
    assert f"Jetons d'API des comptes de démonstration : {tokens_file}" in output
    entries = json.loads(tokens_file.read_text())
    assert [e["email"] for e in entries] == [a.address for a in DEMO_ACCOUNTS]
    assert all(set(e) == {"email", "role", "scope", "token"} for e in entries)
    by_email = {e["email"]: e for e in entries}
    assert by_email["instructeur.isere@demo.territoires-integration.fr"]["scope"] == "Isère (38)"
    assert by_email["instructeur.isere@demo.territoires-integration.fr"]["role"] == "instructor"
    assert by_email["agent.grenoble@demo.territoires-integration.fr"]["scope"] == "Grenoble-Alpes-Métropole"
    assert by_email["ministere@demo.territoires-integration.fr"]["scope"] == "National"
    assert {ApiToken.hash_key(e["token"]) for e in entries} == set(ApiToken.objects.values_list("key_hash", flat=True))
    assert not ApiToken.objects.filter(key_hash__in=[e["token"] for e in entries]).exists()  # never in clear
    assert len({e["token"] for e in entries}) == len(DEMO_ACCOUNTS)
    assert tokens_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_second_run_keeps_the_tokens(tmp_path: Path) -> None:
    tokens_file = tmp_path / "demo-tokens.json"
    seed(tokens_file)
    first = tokens_file.read_text()
    seed(tokens_file)
    assert tokens_file.read_text() == first
    assert ApiToken.objects.count() == len(DEMO_ACCOUNTS)


def test_a_demo_token_opens_the_api(tmp_path: Path) -> None:
    tokens_file = tmp_path / "demo-tokens.json"
    seed(tokens_file)
    entry = next(e for e in json.loads(tokens_file.read_text()) if e["role"] == "instructor")
    response = Client(headers={"Authorization": f"Token {entry['token']}"}).get("/api/v1/envelopes/")
    assert response.status_code == 200
    assert {row["departement"] for row in response.json()["results"]} == {"38"}

"""Talking to the DS GraphQL API: one POST per document, the token as a Bearer.

`Transport` is what sends a request and answers the decoded JSON; production uses `http_transport`
(the standard library, a timeout, no retries inside a transaction), the tests a recorded one.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings

Transport = Callable[[str, dict[str, Any], str], dict[str, Any]]  # (query, variables, token) -> response


class DsError(Exception):
    """DS answered an error (the message is French for the timeline)."""


def http_transport(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        settings.DS_API_URL,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def call(transport: Transport, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    try:
        answer = transport(query, variables, token)
    except OSError as error:
        raise DsError(f"Démarches Simplifiées ne répond pas : {error}") from error
    if answer.get("errors"):
        messages = "; ".join(str(e.get("message", e)) for e in answer["errors"])
        raise DsError(f"Démarches Simplifiées a refusé la requête : {messages}")
    data: dict[str, Any] = answer.get("data") or {}
    return data

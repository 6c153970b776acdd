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


def default_transport() -> Transport:
    """The transport the pages and tasks use (a test replaces this function, never the network)."""
    return http_transport


def download(url: str, limit: int) -> bytes:
    """The bytes of a file of a dossier (DS gives signed URLs, valid for a while). At most `limit`
    bytes are read: a bigger file raises `DsError` rather than filling the memory."""
    if not url.startswith(("https://", "http://")):
        raise DsError(f"Adresse de fichier refusée : {url[:200]}")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            content: bytes = response.read(limit + 1)
    except OSError as error:
        raise DsError(f"Le fichier n'a pas pu être téléchargé depuis Démarches Simplifiées : {error}") from error
    if len(content) > limit:
        raise DsError("Le fichier dépasse la taille maximale autorisée : il n'est pas repris.")
    return content


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

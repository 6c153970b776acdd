"""Démarche 4242 of Démarches Simplifiées, as DS would answer it — never the live service.

Our GraphQL documents are executed by graphql-core with the official schema
(`../shared/ref/demarches-simplifiees/schema.graphql`) over recorded dossiers: two dossiers per
page, `updatedSince` / `deletedSince` honoured, the decision mutations applied to the dossier's state
the way DS does (a dossier « en construction » must pass « en instruction » before a decision).
The dossiers' files are served by a local HTTP server (`FileServer`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from graphql import build_schema, graphql_sync, parse, validate

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "ref" / "demarches-simplifiees" / "schema.graphql"
SCHEMA = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
TOKEN = "ds-api-token-of-the-prefecture"
COLLECTIVITE, TITLE, BPI, FILES = "Q2hhbXAtMQ==", "Q2hhbXAtMg==", "Q2hhbXAtMw==", "Q2hhbXAtNA=="
INSTRUCTEUR = "SW5zdHJ1Y3RldXItNw=="


def champ(typename: str, descriptor: str, label: str, value: str | None) -> dict[str, Any]:
    return {
        "__typename": typename,
        "id": f"{descriptor}-value",
        "champDescriptorId": descriptor,
        "label": label,
        "stringValue": value,
        "files": [],
    }


def dossier(number: int, modified: str, name: str, title: str, bpi: str, email: str) -> dict[str, Any]:
    return {
        "id": f"RG9zc2llci0{number}",
        "number": number,
        "state": "en_construction",
        "dateDerniereModification": modified,
        "usager": {"email": email},
        "champs": [
            champ("TextChamp", COLLECTIVITE, "Collectivité porteuse", name),
            champ("TextChamp", TITLE, "Intitulé du projet", title),
            champ("IntegerNumberChamp", BPI, "Nombre de BPI", bpi),
            champ("PieceJustificativeChamp", FILES, "Budget prévisionnel", None),
        ],
    }


def ds_file(url: str, filename: str, content: bytes, content_type: str) -> dict[str, Any]:
    return {
        "filename": filename,
        "contentType": content_type,
        "checksum": f"md5-of-{filename}",
        "byteSizeBigInt": str(len(content)),
        "url": url,
    }


class RecordedDS:
    def __init__(self, agent_email: str) -> None:
        self.dossiers = [
            dossier(
                101, "2021-03-01T09:00:00+00:00", "Grenoble-Alpes Métropole", "Apprendre le français", "40", agent_email
            ),
            dossier(
                102, "2021-03-02T09:00:00+00:00", "Grenoble-Alpes Métropole", "Accès au logement", "25", agent_email
            ),
            dossier(103, "2021-03-03T09:00:00+00:00", "Lyon", "Emploi", "10", agent_email),  # ambiguous name
            dossier(104, "2021-03-04T09:00:00+00:00", "Grenoble-Alpes Métropole", "Santé", "5", "inconnu@example.fr"),
            dossier(105, "2021-03-05T09:00:00+00:00", "Grenoble-Alpes Métropole", "Mobilité", "8", agent_email),
        ]
        self.deleted: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.mutations: list[tuple[str, dict[str, Any]]] = []
        self.outages: list[str] = []  # mutations DS refuses once each (an outage, a dossier locked on DS)
        self.tokens = {TOKEN}

    @staticmethod
    def _page(items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        start = int(after or 0)
        return {
            "pageInfo": {"hasNextPage": start + 2 < len(items), "endCursor": str(start + 2)},
            "nodes": items[start : start + 2],
        }

    @staticmethod
    def _since(items: list[dict[str, Any]], key: str, since: str | None) -> list[dict[str, Any]]:
        if not since:
            return items
        return [i for i in items if datetime.fromisoformat(i[key]) >= datetime.fromisoformat(since)]

    def _decide(self, name: str, allowed: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
        self.mutations.append((name, dict(data)))
        found = next(d for d in self.dossiers if d["id"] == data["dossierId"])
        if name in self.outages:
            self.outages.remove(name)
            return {"dossier": None, "errors": [{"message": "Le service est momentanément indisponible"}]}
        if found["state"] != allowed:
            return {"dossier": None, "errors": [{"message": f"Le dossier est déjà {found['state']}"}]}
        found["state"] = target
        return {"dossier": {"id": found["id"], "state": target}, "errors": None}

    def transport(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        assert validate(SCHEMA, parse(query)) == []
        if token not in self.tokens:
            return {"errors": [{"message": "Without a token, only persisted queries are allowed"}]}
        self.requests.append(dict(variables))
        demarche = {
            "id": "RGVtYXJjaGUtNDI0Mg==",
            "number": 4242,
            "title": "Financement d'un PTAI — Isère",
            "activeRevision": {
                "champDescriptors": [
                    {"__typename": f"{kind}ChampDescriptor", "id": id_, "label": label, "required": required}
                    for kind, id_, label, required in (
                        ("Text", COLLECTIVITE, "Collectivité porteuse", True),
                        ("Text", TITLE, "Intitulé du projet", True),
                        ("IntegerNumber", BPI, "Nombre de BPI", False),
                        ("PieceJustificative", FILES, "Budget prévisionnel", False),
                    )
                ]
            },
            "dossiers": lambda info, **args: self._page(
                self._since(self.dossiers, "dateDerniereModification", args.get("updatedSince")), args.get("after")
            ),
            "deletedDossiers": lambda info, **args: self._page(
                self._since(self.deleted, "dateSupression", args.get("deletedSince")), args.get("after")
            ),
        }
        root = {
            "demarche": lambda info, number: demarche if number == 4242 else None,
            "dossierPasserEnInstruction": lambda info, input: self._decide(
                "dossierPasserEnInstruction", "en_construction", "en_instruction", input
            ),
            "dossierAccepter": lambda info, input: self._decide("dossierAccepter", "en_instruction", "accepte", input),
            "dossierRefuser": lambda info, input: self._decide("dossierRefuser", "en_instruction", "refuse", input),
        }
        result = graphql_sync(SCHEMA, query, root_value=root, variable_values=variables)
        if result.errors:
            return {"data": result.data, "errors": [{"message": e.message} for e in result.errors]}
        return {"data": result.data}


class FileServer:
    """The files of the dossiers, served over HTTP on 127.0.0.1 (DS gives signed URLs)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                content = server.files.get(self.path)
                if content is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    @contextmanager
    def running(self) -> Iterator[FileServer]:
        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()

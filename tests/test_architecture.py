"""The floors of docs/ARCHITECTURE.md: a room imports only the rooms below it (or beside it, as stated)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The floors: each app may import the floors below its own (docs/ARCHITECTURE.md).
GROUND = {"core", "audit", "referential", "accounts"}
MONEY = GROUND | {"programme", "finance"}
SHARED = MONEY | {"documents", "messaging", "reporting"}  # what the instruments build on
INSTRUMENTS = SHARED | {"projects", "contracts"}  # what steering, imports and the public side read

# app -> the first-party apps it may import
ALLOWED = {
    "core": set(),
    "audit": {"core"},
    "referential": {"core", "audit"},
    "accounts": {"core", "audit", "referential"},
    "identity": GROUND,
    "programme": GROUND,
    "finance": GROUND | {"programme"},
    "documents": MONEY,
    "messaging": MONEY | {"documents"},
    "reporting": MONEY | {"documents"},
    "projects": SHARED,
    "contracts": SHARED,
    "steering": INSTRUMENTS,
    "imports": INSTRUMENTS,
    "public": INSTRUMENTS,
}
FIRST_PARTY = set(ALLOWED) | {"web", "api", "demo", "config"}


def imported_apps(app: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in FIRST_PARTY and top != app:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_domain_apps_import_only_the_floors_below(app):
    forbidden = {other: files for other, files in imported_apps(app).items() if other not in ALLOWED[app]}
    assert forbidden == {}, f"{app} imports rooms above it or beside it: {forbidden}"

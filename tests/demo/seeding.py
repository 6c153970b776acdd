"""Seeding the demo in tests, and counting what it wrote (see `tests/demo/conftest.py`)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection

PROJECT_APPS = (
    "accounts",
    "audit",
    "contracts",
    "documents",
    "finance",
    "identity",
    "imports",
    "jobs",
    "messaging",
    "programme",
    "projects",
    "public",
    "reporting",
    "steering",
)


def seed(tokens_file: Path | None = None) -> str:
    out = StringIO()
    call_command("seed_demo", tokens_file=tokens_file, stdout=out, verbosity=2)  # -v 2: every account listed
    return out.getvalue()


def every_count() -> dict[str, int]:
    """Rows of every model of the platform's apps (the referential aside), every table counted
    in ONE query (the form fuzzing counts before and after each refused submission)."""
    models = [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # the models' own table names, quoted
        row = cursor.fetchone()
    return {model._meta.label: int(count) for model, count in zip(models, row, strict=True)}

"""Seeding the demo in tests, and counting what it wrote (see `tests/demo/conftest.py`)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.apps import apps
from django.core.management import call_command

PROJECT_APPS = ("accounts", "audit", "contracts", "documents", "finance", "messaging", "programme", "projects")


def seed(tokens_file: Path | None = None) -> str:
    out = StringIO()
    call_command("seed_demo", tokens_file=tokens_file, stdout=out)
    return out.getvalue()


def every_count() -> dict[str, int]:
    """Rows of every model of the platform's apps (the referential aside)."""
    return {
        model._meta.label: model._default_manager.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }

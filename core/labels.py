"""The French name of a model's field, as pages and the timeline say it."""

from __future__ import annotations

from django.db import models


def field_label(model: type[models.Model], name: str) -> str:
    """`verbose_name` of field `name` of `model` (its name for a relation without one)."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))

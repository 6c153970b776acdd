"""JSON bodies, with a French message when the body is not JSON (DRF's is in English).

A JSON number with a fraction or an exponent (``40000.5``, ``1e9``) is kept as its literal text: the
fields that read it (`api.fields.MoneyField`) then apply the platform's one reader of amounts, which
refuses an exponent as the pages do; nothing is ever read through a binary float."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas une valeur JSON valide")


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_float=str, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            where = f" (ligne {exc.lineno}, colonne {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            raise exceptions.ParseError(f"Le corps de la requête n'est pas du JSON valide{where}.") from exc
        too_long = _too_long(data, "", int(settings.TEXT_MAX_LENGTH))
        if too_long is not None:
            field, length = too_long
            limit = int(settings.TEXT_MAX_LENGTH)
            raise exceptions.ValidationError(
                {field or "non_field_errors": [f"Ce texte est trop long : {length} caractères pour {limit} au plus."]},
                code="text_too_long",
            )
        return data


def _too_long(value: Any, path: str, limit: int) -> tuple[str, int] | None:
    """The first string of the body longer than `limit` (its dotted path and length), if any."""
    if isinstance(value, str):
        return (path, len(value)) if len(value) > limit else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _too_long(item, f"{path}.{key}" if path else str(key), limit)
        if found is not None:
            return found
    return None

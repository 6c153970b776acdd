"""JSON bodies, with a French message when the body is not JSON (DRF's is in English).

A JSON number with a fraction or an exponent (``40000.5``, ``1e9``) is kept as its literal text: the
fields that read it (`api.fields.MoneyField`) then apply the platform's one reader of amounts, which
refuses an exponent as the pages do; nothing is ever read through a binary float."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import exceptions, parsers


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas une valeur JSON valide")


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            return json.loads(text, parse_float=str, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            where = f" (ligne {exc.lineno}, colonne {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            raise exceptions.ParseError(f"Le corps de la requête n'est pas du JSON valide{where}.") from exc

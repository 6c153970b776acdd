"""JSON bodies, with a French message when the body is not JSON (DRF's is in English)."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__
            where = f" (ligne {cause.lineno}, colonne {cause.colno})" if isinstance(cause, json.JSONDecodeError) else ""
            raise exceptions.ParseError(f"Le corps de la requête n'est pas du JSON valide{where}.") from exc

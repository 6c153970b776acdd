"""The API's money field: the platform's one reader of amounts (`core.numbers.parse_euros`).

A client may send an amount as a JSON string — French (``"40 000,50"``, ``"12 345,67 €"``) or plain
(``"40000.50"``) — or as a JSON number with at most two decimals (``40000.5``). Numbers are kept as
their literal text by `api.parsers.JSONParser`, so ``1e9`` is refused as it is on the pages, with the
same French message. Amounts are answered as strings with two decimals (``"40000.50"``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.numbers import parse_euros

SCHEMA = {
    "type": "string",
    "example": "40000.50",
    "description": "Montant en euros : « 40000.50 », ou à la française « 40 000,50 » ; deux décimales au plus.",
}


@extend_schema_field(SCHEMA)
class MoneyField(serializers.Field):  # type: ignore[type-arg]
    default_error_messages = {"invalid": "Un montant en euros est attendu, par exemple « 40 000,50 »."}

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            return parse_euros(data, allow_zero=self.allow_zero)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from error

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value):.2f}"

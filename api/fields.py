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


class BlankChoiceField(serializers.ChoiceField):
    """A model's optional choice (`blank=True`, stored as ""): answered as `null`, not `""` (the
    document's enum holds the codes and null); `null` or `""` given means none."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("allow_blank", None)
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> Any:
        if data == "":
            return ""
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)


class BlankChoicesAsNull:
    """For a ModelSerializer: every optional choice of the model is a `BlankChoiceField`."""

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type[Any], dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)  # type: ignore[misc]
        if kwargs.get("choices") and getattr(model_field, "blank", False) and not getattr(model_field, "null", False):
            for unused in ("allow_blank", "max_length", "min_length"):
                kwargs.pop(unused, None)
            return BlankChoiceField, kwargs
        return field_class, kwargs

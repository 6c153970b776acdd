"""Bounded free text: every text a user (or a generator) writes has a maximum length.

`BoundedTextField` is a `TextField` with a `max_length` (default `TEXT_MAX_LENGTH`) that the model
checks itself (`full_clean`, like a `CharField`), that ModelForms and the API's serializers read
(form field `max_length`, DRF `max_length`), each with Django's French message (« Assurez-vous
que cette valeur comporte au plus … caractères »). tests/test_bounded_texts.py fails if a model's
text field is unbounded.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

TEXT_MAX_LENGTH = 20_000  # a few pages; settings.TEXT_MAX_LENGTH (forms, API) may only be lower
LONG_TEXT_MAX_LENGTH = 100_000  # a contract's text, an e-mail, a search document


class BoundedTextField(models.TextField):  # type: ignore[type-arg]
    def __init__(self, *args: Any, max_length: int = TEXT_MAX_LENGTH, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

"""Every free text is bounded (issue 11): a test walks every model of the platform and fails if a
text field has no maximum length that the model itself checks; the limit reaches the forms and
the API, with a French message."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from rest_framework import serializers

from core.fields import TEXT_MAX_LENGTH, BoundedTextField
from steering.models import Committee
from tests.test_architecture import FIRST_PARTY

TEXT_FIELDS = [
    (model, field)
    for model in apps.get_models()
    if model.__module__.split(".")[0] in FIRST_PARTY
    for field in model._meta.get_fields()
    if isinstance(field, models.CharField | models.TextField)
]


def test_the_platform_has_text_fields_to_walk() -> None:
    assert len(TEXT_FIELDS) > 100
    assert sum(isinstance(field, models.TextField) for _, field in TEXT_FIELDS) > 40


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=lambda value: getattr(value, "__name__", str(value)))
def test_every_text_field_has_a_maximum_length_checked_by_the_model(model: type, field: models.Field) -> None:
    assert field.max_length, f"{model.__name__}.{field.name} has no max_length"
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    assert limits == [field.max_length], f"{model.__name__}.{field.name}: the model does not check its length"
    form_field = field.formfield()
    if form_field is not None and not field.choices:
        assert form_field.max_length == field.max_length  # type: ignore[attr-defined]


def test_a_too_long_text_is_refused_in_french_by_the_model_the_form_and_the_api() -> None:
    field = Committee._meta.get_field("agenda")
    assert isinstance(field, BoundedTextField) and field.max_length == TEXT_MAX_LENGTH
    too_long = "a" * (TEXT_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as refused:
        field.clean(too_long, None)
    assert "au plus 20000 caractères" in " ".join(refused.value.messages)
    form_field = field.formfield()
    assert form_field is not None and form_field.widget.attrs["maxlength"] == str(TEXT_MAX_LENGTH)
    with pytest.raises(ValidationError) as refused_form:
        form_field.clean(too_long)
    assert "au plus 20000 caractères" in " ".join(refused_form.value.messages)

    class AgendaSerializer(serializers.ModelSerializer[Committee]):
        class Meta:
            model = Committee
            fields = ["agenda"]

    serializer = AgendaSerializer(data={"agenda": too_long})
    assert not serializer.is_valid()
    messages = [str(error).replace("\xa0", " ") for error in serializer.errors["agenda"]]
    assert messages == ["Assurez-vous que ce champ comporte au plus 20000 caractères."]

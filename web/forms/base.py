from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from dsfr.forms import DsfrBaseForm


class SiteForm(DsfrBaseForm):
    """Every form of the site: DSFR rendering, optional fields marked "facultatif" as the DSFR recommends.

    The setting DSFR_MARK_OPTIONAL_FIELDS turns the marking on (django-dsfr's template tag reads it);
    DsfrBaseForm.get_context() would warn about that transitional setting on every render, so the
    plain Django form context is used, with the variable django-dsfr documents for single forms.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every free text is bounded: a text field without its own limit gets TEXT_MAX_LENGTH
        # (French message from Django's validator, shown beside the field).
        limit = int(settings.TEXT_MAX_LENGTH)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))
                field.widget.attrs.setdefault("maxlength", str(limit))

    def get_context(self) -> dict[str, Any]:
        context: dict[str, Any] = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

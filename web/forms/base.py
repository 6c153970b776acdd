from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm


class SiteForm(DsfrBaseForm):
    """Every form of the site: DSFR rendering, optional fields marked "facultatif" as the DSFR recommends.

    The setting DSFR_MARK_OPTIONAL_FIELDS turns the marking on (django-dsfr's template tag reads it);
    DsfrBaseForm.get_context() would warn about that transitional setting on every render, so the
    plain Django form context is used, with the variable django-dsfr documents for single forms.
    """

    def get_context(self) -> dict[str, Any]:
        context: dict[str, Any] = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

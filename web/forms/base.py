from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm


class SiteForm(DsfrBaseForm):
    """Every form of the site: DSFR rendering, optional fields marked "facultatif" as the DSFR recommends.

    django-dsfr 3.x warns on every render until its next major version flips the default; the
    context variable it documents is set here instead of the transitional setting.
    """

    def get_context(self) -> dict[str, Any]:
        context: dict[str, Any] = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context

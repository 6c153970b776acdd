"""The form renderer of the site: django-dsfr's, with the project's overrides of its field snippets first.

`web/overrides/dsfr/form_field_snippets/` writes the "(Optionnel)" mark with
`web.templatetags.ti.optional_mark` instead of django-dsfr's tag (see that tag for why).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.functional import cached_property
from dsfr.forms import DsfrDjangoTemplates

OVERRIDES = Path(__file__).resolve().parents[1] / "overrides"


class SiteFormRenderer(DsfrDjangoTemplates):
    @cached_property
    def engine(self) -> Any:
        engine = super().engine
        engine.engine.dirs = [str(OVERRIDES), *engine.engine.dirs]
        return engine

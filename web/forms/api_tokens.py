from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from web.forms.base import SiteForm


class ApiTokenForm(SiteForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="À quoi il sert, pour le reconnaître : « Export vers notre SIG », « Script de suivi »…",
    )
    expires_on = forms.DateField(
        label="Expire le",
        help_text="Au plus un an. Après cette date, le jeton est refusé.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + timedelta(days=90)
        self.fields["expires_on"].widget.attrs.update(
            min=(today + timedelta(days=1)).isoformat(), max=(today + timedelta(days=365)).isoformat()
        )

    def expires_at(self) -> datetime:
        """The end of the chosen day, local time."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time(23, 59, 59)))

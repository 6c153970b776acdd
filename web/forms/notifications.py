"""How a user wants to be told, per kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from messaging.models import Delivery, NotificationKind, NotificationSetting
from web.forms.base import SiteForm


class NotificationSettingsForm(SiteForm):
    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        chosen = dict(NotificationSetting.objects.filter(user=user).values_list("kind", "delivery"))
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=chosen.get(kind.value, Delivery.IMMEDIATE),
                widget=forms.RadioSelect,
            )

    def save(self) -> None:
        for kind in NotificationKind:
            NotificationSetting.objects.update_or_create(
                user=self.user, kind=kind.value, defaults={"delivery": self.cleaned_data[kind.value]}
            )

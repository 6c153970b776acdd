"""Forms of the log-in's second step, re-authentication and passwords (French labels, DSFR)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from accounts.models import User
from identity import second_factor
from web.forms.base import SiteForm

CODE_MAX = 16


class CodeForm(SiteForm):
    """A 6-digit code of the authenticator app, or one of the 10-digit recovery codes."""

    code = forms.CharField(
        label="Code à usage unique",
        max_length=CODE_MAX + 4,
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Any = None

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        self.device = second_factor.verify(self.user, code)
        if self.device is None:
            raise forms.ValidationError("Ce code n'est pas valable : vérifiez l'heure de votre téléphone et réessayez.")
        return code


class EnrolForm(SiteForm):
    code = forms.CharField(
        label="Code affiché par l'application",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReauthenticateForm(CodeForm):
    """The password (when the account has one) and, for a State agent with an authenticator, a code."""

    password = forms.CharField(
        label="Mot de passe", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["password", "code"]

    def __init__(self, *args: Any, user: User, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs["autofocus"] = True
        if not needs_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect.")
        return password


class FrenchPasswordResetForm(SiteForm, PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique de votre compte"


class FrenchSetPasswordForm(SiteForm, SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"


class FrenchPasswordChangeForm(SiteForm, PasswordChangeForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.enums import PREFECT_INVITABLE_ROLES, ROLE_SCOPES, Role, ScopeLevel
from accounts.models import User
from core.validators import normalize_siret, validate_siret
from referential.models import Department, Operator, Region
from referential.services import register_operator
from web.forms.base import FilterForm, SiteForm
from web.forms.picker import AuthorityPickerField


class LoginForm(SiteForm, AuthenticationForm):
    # A deactivated account is refused by the authentication backend itself, with this same message.
    error_messages = {"invalid_login": "Adresse électronique ou mot de passe incorrect."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
        self.fields["password"].label = "Mot de passe"

    def clean(self) -> dict[str, Any]:
        # Django only caps the address's length in the browser (maxlength); an address longer than
        # any account's is refused here, before the authentication backends (and the log-in
        # throttling table, whose column holds 255 characters) ever see it.
        username = self.cleaned_data.get("username")
        if username is not None and len(username) > User._meta.get_field("email").max_length:  # type: ignore[operator]
            raise self.get_invalid_login_error()
        return super().clean()


class OperatorSiretField(forms.CharField):
    """An opérateur given by its SIRET: the known Operator, or an unsaved one to register."""

    def clean(self, value: Any) -> Operator | None:
        text = super().clean(value)
        if not text:
            return None
        siret = normalize_siret(text)
        validate_siret(siret)
        return Operator.objects.filter(siret=siret).first() or Operator(siret=siret)


class ScopeForm(SiteForm):
    """A role and the scope it is held in; the scope fields that the role does not use stay empty."""

    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    authority = AuthorityPickerField(
        label="Collectivité",
        required=False,
        help_text="Pour un agent de collectivité : nom, code INSEE, SIREN ou code postal.",
    )
    operator = OperatorSiretField(
        label="SIRET de l'opérateur",
        required=False,
        help_text="Pour un opérateur : les 14 chiffres du SIRET de l'association.",
    )
    operator_name = forms.CharField(
        label="Nom de l'opérateur",
        max_length=200,
        required=False,
        help_text="Seulement si ce SIRET n'est pas encore enregistré sur la plateforme.",
    )
    department = forms.ModelChoiceField(
        label="Département",
        queryset=Department.objects.all(),
        required=False,
        help_text="Pour un instructeur ou un préfet de département.",
    )
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.all(), required=False, help_text="Pour un préfet de région."
    )

    SCOPE_FIELDS = {
        ScopeLevel.AUTHORITY: "authority",
        ScopeLevel.OPERATOR: "operator",
        ScopeLevel.DEPARTMENT: "department",
        ScopeLevel.REGION: "region",
    }

    def __init__(self, *args: Any, allowed_roles: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed_roles is not None:
            self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in allowed_roles]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if not role:
            return cleaned
        levels = ROLE_SCOPES[role]
        given = [level for level, name in self.SCOPE_FIELDS.items() if cleaned.get(name)]
        role_label = Role(role).label.lower()
        if ScopeLevel.NATIONAL in levels:
            for level in given:
                self.add_error(self.SCOPE_FIELDS[level], f"Le rôle {role_label} est national : laissez ce champ vide.")
            return cleaned
        extra = [level for level in given if level not in levels]
        for level in extra:
            self.add_error(self.SCOPE_FIELDS[level], f"Ce champ ne s'applique pas au rôle {role_label}.")
        fitting = [level for level in given if level in levels]
        if not fitting and not extra:
            field = self.SCOPE_FIELDS[levels[0]]
            if field not in self.errors:
                names = " ou ".join(self.fields[self.SCOPE_FIELDS[lvl]].label.lower() for lvl in levels)  # type: ignore[union-attr]
                self.add_error(field, f"Indiquez le périmètre du rôle {role_label} : {names}.")
        elif len(fitting) > 1:
            self.add_error(self.SCOPE_FIELDS[fitting[1]], "Un rôle s'exerce sur un seul périmètre : choisissez-en un.")
        operator = cleaned.get("operator")
        if isinstance(operator, Operator) and operator.pk is None and not cleaned.get("operator_name", "").strip():
            self.add_error(
                "operator_name",
                f"Le SIRET {operator.siret} n'est pas encore enregistré : indiquez le nom de l'opérateur.",
            )
        return cleaned

    def scope_kwargs(self, *, actor: Any) -> dict[str, Any]:
        """The chosen scope; an opérateur given by a SIRET not yet known is registered now."""
        scope = {name: self.cleaned_data.get(name) for name in self.SCOPE_FIELDS.values()}
        operator = scope["operator"]
        if isinstance(operator, Operator) and operator.pk is None:
            scope["operator"] = register_operator(
                actor=actor, siret=operator.siret, name=self.cleaned_data["operator_name"]
            )
        return scope


class InvitationForm(ScopeForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)

    field_order = [
        "email",
        "first_name",
        "last_name",
        "role",
        "authority",
        "operator",
        "operator_name",
        "department",
        "region",
    ]

    @classmethod
    def for_actor(cls, actor: Any, *args: Any, **kwargs: Any) -> InvitationForm:
        allowed = None if actor.has_role(Role.ADMIN) else PREFECT_INVITABLE_ROLES
        form = cls(*args, allowed_roles=allowed, **kwargs)
        if allowed is not None:
            form.fields["department"].queryset = Department.objects.for_user(actor)  # type: ignore[attr-defined]
            for name in ("operator", "operator_name", "region"):
                del form.fields[name]
        return form

    def clean(self) -> dict[str, Any]:
        for name in ("operator", "operator_name", "region"):
            if name not in self.fields:
                self.cleaned_data[name] = None
        return super().clean()


class AcceptInvitationForm(SiteForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres, pas trop courant.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            try:
                from accounts.models import User

                password_validation.validate_password(
                    first,
                    User(
                        email=self.email,
                        first_name=cleaned.get("first_name", ""),
                        last_name=cleaned.get("last_name", ""),
                    ),
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserFilterForm(FilterForm):
    q = forms.CharField(label="Rechercher", required=False, help_text="Nom ou adresse électronique")
    role = forms.ChoiceField(label="Rôle", required=False, choices=[("", "Tous les rôles"), *Role.choices])

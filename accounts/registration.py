"""Self-registration of an opérateur (an association that answers calls for projects).

A person of the association creates the account of its structure: the opérateur (`Operator`,
identified by its SIRET) and the person's user with an `operator` membership scoped to it.

Limits, on purpose: the SIRET is checked by its key only (Luhn, `core.validators.validate_siret`),
not against the SIRENE directory (no network); a structure that already has members is refused
(its new people are invited by an administrator), and an e-mail address has one account.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.enums import Role
from accounts.models import Membership, User
from accounts.services import add_membership
from audit.services import record_event
from core.validators import normalize_siret, validate_rna, validate_siret
from referential.models import Operator
from referential.services import register_operator as register_structure

ALREADY_REGISTERED = (
    "Cette structure a déjà un compte : demandez une invitation à l'administrateur de la plateforme "
    "(les personnes qui la représentent déjà ne peuvent pas encore inviter elles-mêmes)."
)
EMAIL_TAKEN = "Un compte existe déjà avec cette adresse électronique : connectez-vous."


def structure_has_members(operator: Operator) -> bool:
    return Membership.objects.filter(role=Role.OPERATOR, operator=operator).exists()


@transaction.atomic
def register_operator(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    organisation_name: str,
    siret: str,
    rna: str = "",
) -> User:
    """Create the person's account and its `operator` membership; the opérateur is created if no
    Operator has this SIRET, or taken over if it exists without any member (registered by an
    administrator or named on an action). Refusals are `ValidationError`s keyed by field."""
    email = User.objects.normalize_email(email.strip()).lower()
    siret = normalize_siret(siret)
    rna = rna.strip().upper()
    errors: dict[str, list[str]] = {}
    try:
        validate_siret(siret)
    except ValidationError as error:
        errors["siret"] = list(error.messages)
    try:
        validate_rna(rna)
    except ValidationError as error:
        errors["rna"] = list(error.messages)
    if not organisation_name.strip():
        errors["organisation_name"] = ["Indiquez le nom de la structure."]
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [EMAIL_TAKEN]
    existing = Operator.objects.select_for_update().filter(siret=siret).first() if "siret" not in errors else None
    if existing is not None and structure_has_members(existing):
        errors["siret"] = [ALREADY_REGISTERED]
    candidate = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        errors["password1"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, first_name=candidate.first_name, last_name=candidate.last_name
            )
    except IntegrityError:
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
    record_event(
        actor=user,
        verb="accounts.user_created",
        target=user,
        details={"par": "inscription d'opérateur", "SIRET": siret},
    )
    operator = existing or register_structure(actor=user, siret=siret, name=organisation_name, rna=rna)
    if existing is not None and rna and not existing.rna:
        existing.rna = rna
        existing.save(update_fields=["rna"])
    add_membership(actor=None, user=user, role=Role.OPERATOR, operator=operator)
    return user

"""The second factor (TOTP, django-otp) of State agents and administrators who log in with a password.

Who needs it: anyone holding a State role (instructeur, préfet, Diair, Ministère, administrateur)
or Django staff, when `settings.SECOND_FACTOR_REQUIRED` is on (it always is in production; the test
settings turn it off deliberately for the tests that log in with `force_login`, and the tests of
the log-in turn it back on). Collectivités' agents and opérateurs log in with their password alone.
ProConnect log-ins carry the identity provider's own authentication and skip this step.

A TOTP device is enrolled at the first log-in (a key shown as a QR code and as text), then ten
single-use recovery codes (a django-otp static device) are shown once.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from accounts.models import User
from audit.services import record_event

STATE_ROLES: frozenset[str] = frozenset({Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN})
RECOVERY_CODES = 10
ISSUER = "Territoires d'intégration"


def is_state_or_admin(user: User) -> bool:
    """A State role or Django staff: the accounts whose sessions and log-ins are held to stricter rules."""
    return bool(user.is_staff or user.is_superuser or user.has_role(*STATE_ROLES))


def needs_second_factor(user: User) -> bool:
    return bool(getattr(settings, "SECOND_FACTOR_REQUIRED", True)) and is_state_or_admin(user)


def has_authenticator(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed), created on first call with a fresh key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return device


def base32_key(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed (groups of four letters)."""
    key = b32encode(unhexlify(device.key)).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    uri: str = device.config_url
    return uri


@transaction.atomic
def confirm_authenticator(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm an enrolling authenticator with its first code; returns the new recovery codes, or None."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token.replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(user=user)
    record_event(actor=user, verb="identity.second_factor_enrolled", target=user, details={})
    return codes


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Ten fresh single-use codes (the previous ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user: User) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def verify(user: User, token: str) -> Device | None:
    """The device (authenticator or recovery code) that accepts `token`, or None."""
    cleaned = "".join(token.split())
    if not cleaned or len(cleaned) > 16 or not cleaned.isdigit():
        return None
    device: Device | None = match_token(user, cleaned)
    if device is not None and isinstance(device, StaticDevice):
        record_event(
            actor=user,
            verb="identity.recovery_code_used",
            target=user,
            details={"restants": remaining_recovery_codes(user)},
        )
    return device


def confirmed_devices(user: User) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))

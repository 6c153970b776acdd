"""Personal access tokens of the API: issued and revoked by their user, stored hashed.

    token, key = issue_token(user=user, name="Export SIG", expires_at=…)   # `key` shown once
    revoke_token(actor=user, token=token)
    authenticate_key(key)  -> the ApiToken, or a TokenRefused with the French reason

Every change writes its audit event (without the key).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import ApiToken, User
from audit.services import record_event

MAX_LIFETIME = timedelta(days=366)
# `last_used_at` is written at most once a minute per token (not one UPDATE per request).
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRefused(Exception):
    """A key that opens nothing: unknown, revoked, expired, or of a deactivated account."""


def new_key() -> str:
    return ApiToken.PREFIX + secrets.token_urlsafe(32)


def _create(*, user: User, name: str, key: str, expires_at: datetime | None) -> ApiToken:
    return ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), key_start=key[:10], expires_at=expires_at
    )


@transaction.atomic
def issue_token(*, user: User, name: str, expires_at: datetime) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its clear key, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au jeton (à quoi il sert)."})
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": "La date d'expiration doit être dans le futur."})
    if expires_at > now + MAX_LIFETIME:
        raise ValidationError({"expires_at": "Un jeton vaut au plus un an : choisissez une date plus proche."})
    key = new_key()
    token = _create(user=user, name=name, key=key, expires_at=expires_at)
    record_event(actor=user, verb="accounts.api_token_created", target=token, details={"nom": token.name})
    return token, key


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, verb="accounts.api_token_revoked", target=token, details={"nom": token.name})


def authenticate_key(key: str) -> ApiToken:
    """The usable token of `key` (its user loaded), its use recorded; else TokenRefused in French."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None:
        raise TokenRefused("Jeton d'accès non valide.")
    if token.revoked_at is not None:
        raise TokenRefused("Ce jeton d'accès a été révoqué.")
    if token.expires_at is not None and token.expires_at <= timezone.now():
        when = date_format(timezone.localtime(token.expires_at), "j F Y à H:i")
        raise TokenRefused(f"Ce jeton d'accès a expiré le {when} : créez-en un autre.")
    if not token.user.is_active:
        raise TokenRefused("Ce compte est désactivé.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def demo_key(user: User) -> str:
    """The demo account's token: derived from SECRET_KEY and the address, so that `seed_demo` run
    twice gives the same token without ever storing it in clear."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-api-token:{user.email}".encode(), hashlib.sha256)
    return ApiToken.PREFIX + digest.hexdigest()[:43]


@transaction.atomic
def ensure_demo_token(user: User) -> str:
    """Give a demo account its (derived) token if it lacks it or it was revoked; returns the key."""
    key = demo_key(user)
    token = ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None:
        _create(user=user, name="Jeton de démonstration", key=key, expires_at=None)
    elif token.revoked_at is not None:
        token.revoked_at = None
        token.save(update_fields=["revoked_at"])
    return key

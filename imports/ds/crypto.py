"""The DS API token at rest: encrypted with Fernet (`cryptography`), key `DS_TOKEN_KEY` from the
settings (the environment in production), never stored in clear."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> Fernet:
    key = getattr(settings, "DS_TOKEN_KEY", "")
    if not key:
        raise ImproperlyConfigured("DS_TOKEN_KEY is required to keep Démarches Simplifiées tokens.")
    # A Fernet key is 32 bytes, url-safe base64; any secret text is turned into one.
    try:
        return Fernet(key)
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def encrypt(token: str) -> bytes:
    return _fernet().encrypt(token.encode())


def decrypt(blob: bytes | memoryview) -> str:
    try:
        return _fernet().decrypt(bytes(blob)).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("The DS token cannot be read with this DS_TOKEN_KEY.") from error

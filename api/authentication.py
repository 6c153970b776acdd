"""The API's token authentication and per-token throttling (docs/api.md, « Jetons d'accès »).

`Authorization: Token <key>`: the key's SHA-256 is looked up among the users' personal access
tokens (`accounts.ApiToken`); an unknown, revoked or expired key, or one of a deactivated account,
answers a French JSON 401. `request.auth` is then the ApiToken: the throttle counts per token.
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions, throttling
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.tokens import TokenRefused, authenticate_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = authenticate_key(key)
        except TokenRefused as refusal:
            raise exceptions.AuthenticationFailed(str(refusal)) from None
        return token.user, token

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if header and header[0].lower() == self.keyword.lower().encode() and len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization mal formé : « Token » suivi du jeton, sans espace dans le jeton."
            )
        return super().authenticate(request)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (API_TOKEN_RATE); a session (the docs page) counts per user. Anonymous
    callers are counted by `AnonRateThrottle`."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"session-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

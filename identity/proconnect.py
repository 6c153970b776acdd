"""Log-in with ProConnect (OpenID Connect, mozilla-django-oidc), matching accounts by e-mail.

ProConnect proves who the person is; this platform decides what they may do. So an account is
matched by its e-mail address (case-insensitive) to:
1. an active account already holding a membership: it logs in;
2. otherwise a pending invitation for that address: the invitation is accepted (the account is
   created without a password if it did not exist), which gives the invited role;
3. otherwise nothing: the log-in is refused with a French message. No account is ever created
   with rights of its own, and a subject already linked to another account is refused.

The `siret` and `usual_name` claims (and `given_name`) are recorded on the account's
`ProConnectIdentity` at every log-in. ProConnect's userinfo answer is a signed JWT
(`application/jwt`); a plain JSON answer (the local provider of the tests) is read too.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import Invitation, User
from accounts.services import accept_invitation
from audit.services import record_event
from identity.models import ProConnectIdentity
from identity.sessions import NEXT_METHOD, PROCONNECT

UNKNOWN_MESSAGE = (
    "Aucun compte ni invitation ne correspond à l'adresse {email} sur Territoires d'intégration. "
    "Demandez une invitation à votre préfecture ou à l'administrateur de la plateforme."
)
NO_EMAIL_MESSAGE = "ProConnect n'a pas transmis d'adresse électronique vérifiable : la connexion est refusée."
OTHER_ACCOUNT_MESSAGE = "Cette identité ProConnect est déjà reliée à un autre compte : la connexion est refusée."
INACTIVE_MESSAGE = "Ce compte est désactivé : adressez-vous à votre préfecture ou à l'administrateur."


def is_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class Refused(Exception):
    """A ProConnect log-in that matches no account nor invitation (message in French)."""


@transaction.atomic
def account_for_claims(claims: dict[str, Any]) -> User:
    """The account these claims log into (invitation accepted if needed); raises Refused."""
    email = str(claims.get("email") or "").strip()
    sub = str(claims.get("sub") or "").strip()
    if not email or "@" not in email or not sub or len(email) > 254:
        raise Refused(NO_EMAIL_MESSAGE)
    linked = ProConnectIdentity.objects.select_related("user").filter(sub=sub).first()
    user = User.objects.filter(email__iexact=email).first()
    if linked is not None and (user is None or linked.user_id != user.pk):
        raise Refused(OTHER_ACCOUNT_MESSAGE)
    if user is not None and not user.is_active:
        raise Refused(INACTIVE_MESSAGE)
    invitations = list(Invitation.objects.pending().filter(email__iexact=email).order_by("created_at"))
    for invitation in invitations:
        try:
            user = accept_invitation(invitation=invitation, password=None)
        except ValidationError:
            continue
    if user is None or not user.active_memberships:
        raise Refused(UNKNOWN_MESSAGE.format(email=email))
    identity, created = ProConnectIdentity.objects.update_or_create(
        user=user,
        defaults={
            "sub": sub,
            "siret": "".join(ch for ch in str(claims.get("siret") or "") if ch.isdigit())[:14],
            "usual_name": str(claims.get("usual_name") or "")[:150],
            "given_name": str(claims.get("given_name") or "")[:150],
        },
    )
    if created:
        record_event(actor=user, verb="identity.proconnect_linked", target=user, details={"siret": identity.siret})
    return user


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with the matching rules above instead of its user creation."""

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.get_userinfo_response(access_token)
        if "application/jwt" in response.headers.get("Content-Type", ""):
            verified = self.verify_token(response.text)
            return dict(verified) if isinstance(verified, dict) else json.loads(verified)
        data: dict[str, Any] = response.json()
        return data

    def get_userinfo_response(self, access_token: str) -> Any:
        import requests

        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", 10),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        return response

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            user = account_for_claims(claims)
        except Refused as refusal:
            record_event(
                actor=None,
                verb="identity.proconnect_refused",
                target=None,
                details={"e-mail": str(claims.get("email", ""))[:254]},
            )
            if self.request is not None:
                messages.error(self.request, str(refusal))
            return None
        if self.request is not None:
            self.request.session[NEXT_METHOD] = PROCONNECT
        return user

"""Session rules of State agents and administrators, and re-authentication before sensitive actions.

- At log-in (`signals.py`) the session records when and how the user authenticated. A State
  agent's or administrator's session ends when the browser closes and lasts at most
  `settings.STATE_SESSION_MAX_AGE` seconds (8 hours by default) after the log-in, whatever the
  activity; other users keep Django's ordinary session.
- Sensitive pages (`settings.REAUTH_URL_NAMES`: validating, delegating or committing credits, the
  decisions of a workflow, managing users and signing delegations) ask a State agent or
  administrator who authenticated more than `settings.REAUTH_MAX_AGE` seconds ago (15 minutes by
  default) to confirm their identity again (password and second factor, or ProConnect again)
  before the page opens or the form is taken.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.models import User
from identity.second_factor import is_state_or_admin

AUTH_AT = "identity_auth_at"
AUTH_METHOD = "identity_method"
NEXT_METHOD = "identity_next_method"  # set by the ProConnect backend just before it logs in
PASSWORD = "password"
PROCONNECT = "proconnect"


def mark_authenticated(request: HttpRequest, user: User, *, method: str = PASSWORD) -> None:
    """Called at every log-in and re-authentication: the clock of the session rules starts now."""
    request.session[AUTH_AT] = int(time.time())
    request.session[AUTH_METHOD] = method
    if is_state_or_admin(user):
        request.session.set_expiry(0)  # ends when the browser closes


def authenticated_since(request: HttpRequest) -> float | None:
    value = request.session.get(AUTH_AT)
    return time.time() - value if isinstance(value, int | float) else None


def is_recent(request: HttpRequest) -> bool:
    age = authenticated_since(request)
    return age is not None and age <= settings.REAUTH_MAX_AGE


class SessionRulesMiddleware:
    """Ends State sessions past their lifetime; sends sensitive pages through re-authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and is_state_or_admin(user):
            age = authenticated_since(request)
            if age is None or age > settings.STATE_SESSION_MAX_AGE:
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous.")
                return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: object, kwargs: object
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not (isinstance(user, User) and user.is_authenticated and is_state_or_admin(user)):
            return None
        match = request.resolver_match
        if match is None or match.view_name not in settings.REAUTH_URL_NAMES or is_recent(request):
            return None
        target = request.get_full_path() if request.method == "GET" else request.path
        if request.method != "GET":
            messages.warning(
                request, "Confirmez votre identité, puis renouvelez votre action : rien n'a été enregistré."
            )
        return HttpResponseRedirect(f"{reverse('reauthenticate')}?{urlencode({'next': target})}")

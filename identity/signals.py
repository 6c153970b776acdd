"""Every log-in (password, second factor, ProConnect, or a test's force_login) starts the session clock."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from identity.sessions import NEXT_METHOD, PASSWORD, mark_authenticated


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request, user, method=request.session.pop(NEXT_METHOD, PASSWORD))

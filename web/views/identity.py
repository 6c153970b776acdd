"""Log-in with its second step, re-authentication, recovery codes, password reset and change.

The password log-in of a State agent or administrator (identity.second_factor) does not log in at
once: the checked account waits in the session (`PENDING`, five minutes) until the second step —
a code of the authenticator app or a recovery code, or, the first time, the enrolment of the app.
Only then is the user logged in. ProConnect log-ins do not pass here.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from accounts.models import User
from audit.services import record_event
from identity import proconnect, second_factor
from identity.sessions import AUTH_METHOD, PROCONNECT, mark_authenticated
from web.forms.accounts import LoginForm
from web.forms.identity import (
    CodeForm,
    EnrolForm,
    FrenchPasswordChangeForm,
    FrenchPasswordResetForm,
    FrenchSetPasswordForm,
    ReauthenticateForm,
)

PENDING = "identity_pending"
NEW_CODES = "identity_new_recovery_codes"
PENDING_MAX_AGE = 5 * 60


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class SiteLoginView(auth_views.LoginView):
    """Django's log-in, with a second step for the accounts that need one."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["proconnect_enabled"] = proconnect.is_enabled()
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if not second_factor.needs_second_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,  # type: ignore[attr-defined]
            "next": self.get_redirect_url(),
            "at": int(time.time()),
        }
        return redirect("login_second_factor")


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None


def _finish_login(request: HttpRequest, user: User, pending: dict[str, Any], device: Any) -> None:
    request.session.pop(PENDING, None)
    user.backend = pending["backend"]  # type: ignore[attr-defined]
    login(request, user, backend=pending["backend"])
    otp_login(request, device)


@login_not_required
def login_second_factor(request: HttpRequest) -> HttpResponse:
    found = _pending_user(request)
    if found is None:
        messages.info(request, "Votre connexion a expiré : saisissez de nouveau votre adresse et votre mot de passe.")
        return redirect("login")
    user, pending = found
    if not second_factor.has_authenticator(user):
        return redirect("login_enrol")
    form = CodeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        _finish_login(request, user, pending, form.device)
        remaining = second_factor.remaining_recovery_codes(user)
        if remaining <= 3:
            messages.warning(
                request,
                f"Il vous reste {remaining} code(s) de secours : générez-en de nouveaux depuis « Sécurité du compte ».",
            )
        return HttpResponseRedirect(_safe_next(request, pending.get("next")))
    return render(request, "identity/second_factor.html", {"form": form}, status=400 if form.errors else 200)


@login_not_required
def login_enrol(request: HttpRequest) -> HttpResponse:
    """First log-in of a State agent: the authenticator app is enrolled, then recovery codes shown."""
    found = _pending_user(request)
    if found is None:
        return redirect("login")
    user, pending = found
    if second_factor.has_authenticator(user):
        return redirect("login_second_factor")
    device = second_factor.pending_authenticator(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_authenticator(user=user, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            _finish_login(request, user, pending, device)
            request.session[NEW_CODES] = codes
            request.session["identity_after_codes"] = _safe_next(request, pending.get("next"))
            return redirect("recovery_codes")
        form.add_error("code", "Ce code n'est pas valable : vérifiez l'heure de votre téléphone et réessayez.")
    import segno

    qr = segno.make(second_factor.provisioning_uri(device), error="m")
    context = {"form": form, "key": second_factor.base32_key(device), "qr": qr.svg_data_uri(scale=4)}
    return render(request, "identity/enrol.html", context, status=400 if form.errors else 200)


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once; a POST makes ten new ones (the old stop working)."""
    user = request.user
    assert isinstance(user, User)
    if not second_factor.is_state_or_admin(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST":
        if not second_factor.has_authenticator(user):
            return redirect(settings.LOGIN_REDIRECT_URL)
        request.session[NEW_CODES] = second_factor.new_recovery_codes(user=user)
        return redirect("recovery_codes")
    codes = request.session.pop(NEW_CODES, None)
    context = {
        "codes": codes,
        "remaining": second_factor.remaining_recovery_codes(user),
        "has_authenticator": second_factor.has_authenticator(user),
        "next": request.session.pop("identity_after_codes", reverse(settings.LOGIN_REDIRECT_URL)),
    }
    return render(request, "identity/recovery_codes.html", context)


def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirm one's identity before a sensitive page (identity.sessions)."""
    user = request.user
    assert isinstance(user, User)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    by_proconnect = request.session.get(AUTH_METHOD) == PROCONNECT or not user.has_usable_password()
    if by_proconnect:
        return render(request, "identity/reauthenticate.html", {"proconnect": True, "next": next_url})
    needs_code = second_factor.needs_second_factor(user) and second_factor.has_authenticator(user)
    form = ReauthenticateForm(request.POST or None, user=user, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        mark_authenticated(request, user)
        if form.device is not None:
            otp_login(request, form.device)
        return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "proconnect": False}
    return render(request, "identity/reauthenticate.html", context, status=400 if form.errors else 200)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = FrenchPasswordResetForm
    template_name = "identity/password_reset.html"
    email_template_name = "identity/password_reset_email.txt"
    subject_template_name = "identity/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: FrenchPasswordResetForm) -> HttpResponse:  # type: ignore[override]
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "identity/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = FrenchSetPasswordForm
    template_name = "identity/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: FrenchSetPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        record_event(actor=form.user, verb="identity.password_reset", target=form.user, details={})
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "identity/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = FrenchPasswordChangeForm
    template_name = "identity/password_change.html"
    success_url = reverse_lazy("web:dashboard")

    def form_valid(self, form: FrenchPasswordChangeForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        record_event(actor=form.user, verb="identity.password_changed", target=form.user, details={})
        messages.success(self.request, "Votre mot de passe est changé.")
        return response

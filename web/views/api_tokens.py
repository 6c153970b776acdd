"""« Mes jetons d'accès »: every user creates, sees and revokes their own API tokens (docs/api.md).
The clear token is shown once, in the answer to its creation (never stored, never cached)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accounts.models import ApiToken
from accounts.tokens import issue_token, revoke_token
from web.forms.api_tokens import ApiTokenForm


def _page(request: HttpRequest, form: ApiTokenForm, created: ApiToken | None = None, key: str = "") -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at", "-pk")
    context = {"form": form, "tokens": tokens, "created": created, "key": key}
    response = render(request, "web/accounts/api_tokens.html", context, status=400 if form.errors else 200)
    add_never_cache_headers(response)
    return response


def api_tokens(request: HttpRequest) -> HttpResponse:
    return _page(request, ApiTokenForm())


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = issue_token(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            form.add_error("expires_on" if "expires_at" in error.message_dict else None, error.messages)
        else:
            return _page(request, ApiTokenForm(), created=token, key=key)
    return _page(request, form)


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        revoke_token(actor=request.user, token=token)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès à l'API.")
    return redirect("web:api_tokens")

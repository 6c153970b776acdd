"""ProConnect's two doors (start, callback): mozilla-django-oidc's views, open to anonymous
visitors, answering 404 while ProConnect is not configured (no OIDC_RP_CLIENT_ID)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from identity.proconnect import is_enabled


@method_decorator(login_not_required, name="dispatch")
class ProConnectStart(OIDCAuthenticationRequestView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled():
            raise Http404
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


@method_decorator(login_not_required, name="dispatch")
class ProConnectCallback(OIDCAuthenticationCallbackView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled():
            raise Http404
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

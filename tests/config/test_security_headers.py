"""Issue 15: the security headers every page answers with, and the content security policy.

With the production security settings (those of `config/settings/prod.py`, applied here on top of the
test settings): HSTS on HTTPS, secure cookies, no framing, no MIME sniffing, a strict CSP whose one
inline-script allowance is a per-response nonce."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# What config/settings/prod.py sets (its defaults); `check --deploy` on prod.py is
# tests/config/test_settings.py::test_prod_settings_pass_check_deploy.
PROD_SECURITY = {
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_a_page_answers_with_the_security_headers_of_production(settings):
    for name, value in PROD_SECURITY.items():
        setattr(settings, name, value)
    response = Client().get("/connexion/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"


def test_the_content_security_policy_allows_only_the_site_itself_and_a_per_response_nonce():
    client = Client()
    first, second = client.get("/"), client.get("/")
    policy = _directives(first["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in first["Content-Security-Policy"]
    assert "'unsafe-eval'" not in first["Content-Security-Policy"]
    (nonce,) = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert policy["script-src"] == ["'self'", nonce]
    assert nonce != _directives(second["Content-Security-Policy"])["script-src"][1]  # one per response
    # Every inline script of the page carries the nonce; no inline style, no inline handler.
    html = first.content.decode()
    for attributes in re.findall(r"<script\b([^>]*)>", html):
        assert "src=" in attributes or f'nonce="{nonce[7:-1]}"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=\"", html)
    assert "<style" not in html and ' style="' not in html


def test_the_api_and_file_downloads_are_not_sniffed_nor_framed():
    response = Client().get("/api/v1/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"

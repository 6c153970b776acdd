"""The OpenAPI document and its documentation page: valid OpenAPI 3, no warning from the
generator, served without any CDN and within the site's unchanged CSP."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api.conftest import API, ApiClient

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/me/": {"get"},
    "/api/v1/authorities/": {"get"},
    "/api/v1/departements/": {"get"},
    "/api/v1/departements/{code}/": {"get"},
    "/api/v1/campaigns/": {"get"},
    "/api/v1/campaigns/{year}/": {"get"},
    "/api/v1/envelopes/": {"get"},
    "/api/v1/envelopes/{id}/": {"get"},
    "/api/v1/ledger/": {"get"},
    "/api/v1/ledger/{id}/": {"get"},
    "/api/v1/amendments/": {"get"},
    "/api/v1/amendments/{id}/": {"get"},
    "/api/v1/amendments/{id}/transitions/": {"get"},
    "/api/v1/amendments/{id}/transitions/{name}/": {"post"},
    "/api/v1/ptai/": {"get", "post"},
    "/api/v1/ptai/{id}/": {"get", "patch"},
    "/api/v1/ptai/{id}/transitions/": {"get"},
    "/api/v1/ptai/{id}/transitions/{name}/": {"post"},
    "/api/v1/ctai/": {"get", "post"},
    "/api/v1/ctai/{id}/": {"get"},
    "/api/v1/ctai/{id}/diagnosis/": {"patch"},
    "/api/v1/ctai/{id}/coordinator/": {"put"},
    "/api/v1/ctai/{id}/programmings/": {"get", "post"},
    "/api/v1/ctai/{id}/transitions/": {"get"},
    "/api/v1/ctai/{id}/transitions/{name}/": {"post"},
    "/api/v1/programmings/{id}/": {"get", "patch"},
    "/api/v1/programmings/{id}/actions/": {"post"},
    "/api/v1/programmings/{id}/actions/{action_id}/": {"patch", "delete"},
    "/api/v1/programmings/{id}/actions/{action_id}/review/": {"post"},
    "/api/v1/programmings/{id}/transitions/": {"get"},
    "/api/v1/programmings/{id}/transitions/{name}/": {"post"},
    "/api/v1/calls/": {"get"},
    "/api/v1/calls/{id}/": {"get"},
    "/api/v1/calls/{id}/transitions/": {"get"},
    "/api/v1/calls/{id}/transitions/{name}/": {"post"},
    "/api/v1/calls/{id}/applications/": {"get", "post"},
    "/api/v1/applications/": {"get"},
    "/api/v1/applications/{id}/": {"get"},
    "/api/v1/applications/{id}/transitions/": {"get"},
    "/api/v1/applications/{id}/transitions/{name}/": {"post"},
    "/api/v1/campaigns/{year}/credits/": {"post"},
    "/api/v1/envelopes/{id}/delegate/": {"post"},
    "/api/v1/ledger/{id}/reverse/": {"post"},
    "/api/v1/ptai/{id}/documents/": {"get", "post"},
    "/api/v1/ptai/{id}/documents/{document_id}/": {"get"},
    "/api/v1/ptai/{id}/messages/": {"get", "post"},
    "/api/v1/ctai/{id}/documents/": {"get", "post"},
    "/api/v1/ctai/{id}/documents/{document_id}/": {"get"},
    "/api/v1/ctai/{id}/messages/": {"get", "post"},
    "/api/v1/priorities/": {"get"},
    "/api/v1/priorities/{code}/": {"get"},
    "/api/v1/reports/": {"get"},
    "/api/v1/reports/{id}/": {"get"},
    "/api/v1/reports/{id}/transitions/": {"get"},
    "/api/v1/reports/{id}/transitions/{name}/": {"post"},
    "/api/v1/committees/": {"get"},
    "/api/v1/committees/{id}/": {"get"},
    "/api/v1/evaluations/": {"get"},
    "/api/v1/evaluations/{id}/": {"get"},
}


def test_schema_is_openapi_3_in_json_and_yaml(api_anonymous: ApiClient) -> None:
    as_json = api_anonymous.get(f"{API}/schema/", {"format": "json"})
    assert as_json.status_code == 200
    document = json.loads(as_json.content)
    assert document["openapi"].startswith("3.")
    assert {path: set(operations) for path, operations in document["paths"].items()} == ENDPOINTS
    assert document["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    as_yaml = api_anonymous.get(f"{API}/schema/")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content) == document


def test_schema_generation_has_no_warning(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO(), stderr=StringIO()
    )
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


def test_docs_page_uses_only_local_files_and_keeps_the_site_csp(api_anonymous: ApiClient) -> None:
    response = api_anonymous.get(f"{API}/docs/")
    assert response.status_code == 200
    html = response.text
    assert "<style" not in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attributes and not body.strip() for attributes, body in scripts)  # no inline
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(addresses) == 6
    for address in addresses:
        assert address.startswith((settings.STATIC_URL, f"{API}/docs/?script")), address
        if address.startswith(settings.STATIC_URL):
            assert finders.find(address.removeprefix(settings.STATIC_URL)), f"{address} is not a static file"
    # The site's policy, not a relaxed one.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy


def test_docs_start_up_script_is_a_separate_same_origin_file(api_anonymous: ApiClient) -> None:
    response = api_anonymous.get(f"{API}/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    script = response.text
    assert '"/api/v1/schema/"' in script
    assert '"validatorUrl": null' in script  # Swagger UI's badge would load an outside image
    assert "https://" not in script

"""Issue 11, « Bounded and fast to fail »: a JSON body over the size the API reads is refused with a
French 413 in JSON, never a server error."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import api_key
from tests.projects.conftest import make_persona

pytestmark = pytest.mark.django_db


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_readable_size_gets_a_french_413(client):
    agent = make_persona("agent_lead")
    key = api_key(agent)
    body = b'{"title": "' + b"a" * 4096 + b'"}'
    response = client.post(
        "/api/v1/ptai/", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "trop volumineuse" in response.json()["detail"]

"""Documents on S3-compatible object storage (django-storages), as configured by STORAGE_BACKEND=s3,
against a local S3 server started here (moto in server mode), never a live service: a document
uploaded through the contract's page lands in the bucket, not on the disk; it is downloaded through
the scope-checking view, streamed from the bucket; a user outside the contract's scope gets a 404
and the bucket's objects are not readable without signed credentials."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.settings.storage import default_storage_from_env
from contracts.enums import ContractState
from documents.models import Document
from tests.contracts.conftest import make_contract
from tests.documents.files import pdf_bytes
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db
BUCKET = "territoires-documents"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-3", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    client.close()
    yield endpoint
    server.stop()


@pytest.fixture
def object_storage(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The platform configured the way an operator does it (docs/DEPLOY.md), pointed at moto."""
    for name, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "eu-west-3",
        "S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "S3_PREFIX": "documents",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env()}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-3", **CREDENTIALS)
    yield client
    client.close()


def test_a_document_goes_to_the_bucket_and_comes_back_only_through_the_scoped_view(
    object_storage: Any, agent_grenoble: PersonaClient, agent_lyon: PersonaClient, instructor_rhone: PersonaClient
) -> None:
    contract = make_contract(ContractState.CONTACT)
    content = pdf_bytes()
    upload = reverse("web:contract_document_upload", args=[contract.pk])
    file = SimpleUploadedFile("lettre signée.pdf", content, "application/pdf")
    assert agent_grenoble.post(upload, {"kind": "lettre-engagement", "file": file}).status_code == 302

    document = Document.objects.for_target(contract).get()
    stored = object_storage.get_object(Bucket=BUCKET, Key=f"documents/{document.file.name}")
    assert stored["Body"].read() == content  # in the bucket, under the configured prefix

    url = reverse("web:contract_document_download", args=[document.pk])
    got = agent_grenoble.get(url)
    assert got.status_code == 200 and got.streaming
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == content
    assert "amazonaws" not in got.headers.get("Location", "")

    for outsider in (agent_lyon, instructor_rhone):
        assert outsider.get(url).status_code == 404

    # The bucket is private: its address without a signature gives nothing.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{object_storage.meta.endpoint_url}/{BUCKET}/documents/{document.file.name}")
    refused.value.close()
    assert refused.value.code == 403

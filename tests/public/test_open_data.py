"""The open data on the demo: SCDL 2.1.1 and 360Giving 1.4.3 files validated against the official
schemas (../shared/ref/), the two checks frictionless does not make, ETag, and the public pages
never showing what is not public."""

import csv
import hashlib
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from frictionless import Resource, Schema
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from core.validators import siret_is_valid
from projects.models import Project
from public.models import CatalogueEntry, Publication, PublicationKind
from public.services import publish
from tests.web.html import text_of

REF = Path(__file__).resolve().parents[3] / "shared" / "ref"
if not REF.exists():
    REF = Path("/work/shared/ref")

pytestmark = pytest.mark.django_db


def test_scdl_file_of_the_demo_validates_against_the_scdl_schema(demo, client, tmp_path):
    response = client.get("/opendata/subventions.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    path = tmp_path / "subventions.csv"
    path.write_bytes(response.content)
    schema = Schema.from_descriptor(json.loads((REF / "scdl-subventions" / "schema.json").read_text()))
    report = Resource(path="subventions.csv", basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) >= 15
    # The two checks of the schema's custom_checks frictionless does not make:
    for row in rows:
        assert siret_is_valid(row["idAttribuant"]), row
        assert row["idBeneficiaire"] or row["rnaBeneficiaire"], row
        if row["idBeneficiaire"]:
            assert siret_is_valid(row["idBeneficiaire"]), row
    # The flyer's examples (F44) are there: Dijon Métropole's 300 000 € PTAI of 2021.
    assert any(r["nomBeneficiaire"] == "Dijon Métropole" and r["montant"] == "300000.00" for r in rows)
    # Poitiers 2021 (F43): 150 000 € + 50 000 € committed as one award of its programming year.
    assert any(r["nomBeneficiaire"] == "Poitiers" and r["montant"] == "200000.00" for r in rows)


def test_360giving_file_of_the_demo_validates_against_the_360giving_schemas(demo, client):
    response = client.get("/opendata/360giving.json")
    assert response.status_code == 200
    package = json.loads(response.content)
    grant_schema = json.loads((REF / "360giving" / "360-giving-schema.json").read_text())
    package_schema = json.loads((REF / "360giving" / "360-giving-package-schema.json").read_text())
    grant = DRAFT202012.create_resource(grant_schema)
    # The 1.4.3 package schema points at the grant schema by its 1.4.2 address: both are the local copy.
    registry = Registry().with_resources(
        [
            (grant_schema["$id"], grant),
            (package_schema["properties"]["grants"]["items"]["$ref"], grant),
        ]
    )
    validator = Draft202012Validator(
        package_schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
    scdl_rows = list(csv.DictReader(io.StringIO(client.get("/opendata/subventions.csv").content.decode())))
    assert len(package["grants"]) == len(scdl_rows), "the same awards in both files"


def test_files_are_served_with_an_etag_and_answer_304_when_unchanged(demo, client):
    first = client.get("/opendata/subventions.csv")
    etag = first["ETag"]
    giving_etag = client.get("/opendata/360giving.json")["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
    assert client.get("/opendata/subventions.csv", headers={"if-none-match": etag}).status_code == 304
    # The scheduled task runs again the next night, nothing changed: same ETags (the 360Giving
    # package's own dates are not a change).
    publish(now=timezone.now() + timedelta(days=1))
    assert client.get("/opendata/360giving.json")["ETag"] == giving_etag
    assert client.get("/opendata/subventions.csv")["ETag"] == etag


def test_the_360giving_file_changes_when_a_grant_changes(demo, client):
    before = bytes(Publication.objects.get(kind=PublicationKind.GIVING).content)
    package = json.loads(before)
    # Written grant by grant, the file has the layout of the whole package serialised at once.
    assert before == json.dumps(package, ensure_ascii=False, indent=1).encode()
    grant = next(g for g in package["grants"] if "-ptai-" in g["id"])
    Project.objects.filter(pk=int(grant["id"].rsplit("-", 1)[1])).update(title="Maison de l'accueil, nouveau nom")
    result = publish(now=timezone.now() + timedelta(days=1))
    assert result.changed == [PublicationKind.SCDL.value, PublicationKind.GIVING.value]
    after = client.get("/opendata/360giving.json")
    assert after["ETag"] != f'"{hashlib.sha256(before).hexdigest()}"'
    titles = {g["id"]: g["title"] for g in json.loads(after.content)["grants"]}
    assert titles[grant["id"]] == "Maison de l'accueil, nouveau nom"


def test_the_scheduled_task_regenerates_the_files(demo):
    from public.tasks import publish_open_data

    Publication.objects.all().delete()
    result = publish_open_data.enqueue()
    assert result.return_value["published"] >= 15
    assert Publication.objects.count() == 2


def test_open_data_page_describes_both_files_their_licence_and_update_time(demo, client):
    text = text_of(client.get("/donnees-ouvertes/").content.decode())
    assert "Licence Ouverte 2.0" in text
    assert "Subventions au format SCDL 2.1.1 (CSV)" in text
    assert "Subventions au format 360Giving 1.4.3 (JSON)" in text
    assert "Mis à jour le" in text
    assert "idBeneficiaire" in text


def test_the_small_count_threshold_of_the_campaign_hides_small_counts(demo):
    """Every count of people in the catalogue is either None or at least its campaign's threshold."""
    from programme.models import Campaign

    thresholds = dict(Campaign.objects.values_list("year", "small_count_threshold"))
    for entry in CatalogueEntry.objects.all():
        for count in (entry.planned_bpi, entry.planned_newcomers):
            assert count is None or count >= thresholds[entry.campaign_year]


def _public_urls() -> list[str]:
    urls = [
        "/",
        "/comment-signer-un-ctai/",
        "/comment-financer-un-ptai/",
        "/territoires/",
        "/actions-financees/",
        "/actions-financees/?q=logement",
        "/contacts/?q=38000",
        "/contacts/?q=Dijon",
        "/eligibilite/",
        "/demander-un-compte/",
        "/donnees-ouvertes/",
        "/opendata/subventions.csv",
        "/opendata/360giving.json",
    ]
    urls += [f"/actions-financees/{key}/" for key in CatalogueEntry.objects.values_list("key", flat=True)]
    urls += [f"/territoires/{pk}/" for pk in set(CatalogueEntry.objects.values_list("authority_id", flat=True))]
    return urls


def _secrets() -> set[str]:
    """What must never leave: avis, internal notes and messages, reasons, drafts, people's names and
    e-mails, justifications, the Diair's review of actions."""
    from accounts.models import User
    from contracts.models import Action, Contract, Programming
    from messaging.models import Message
    from projects.models import Project

    public_titles = set(CatalogueEntry.objects.values_list("title", flat=True))
    found: set[str] = set()
    found |= set(Project.objects.values_list("opinion_text", flat=True))
    found |= set(Project.objects.values_list("bpi_justification", flat=True))
    found |= {
        t for t in Project.objects.filter(state="draft").values_list("title", flat=True) if t not in public_titles
    }
    found |= set(Action.objects.values_list("review_reason", flat=True))
    found |= set(Programming.objects.values_list("changes_reason", flat=True))
    found |= set(Message.objects.values_list("body", flat=True))
    for field in ("coordinator_name", "coordinator_contact", "elected_official_name", "closed_reason", "text"):
        found |= set(Contract.objects.values_list(field, flat=True))
    found |= set(User.objects.values_list("email", flat=True))
    return {s.strip() for s in found if s and len(s.strip()) >= 12}


def test_no_public_page_or_file_shows_an_avis_a_note_a_draft_or_personal_data(demo, client):
    secrets = _secrets()
    assert len(secrets) > 20, "the demo holds avis, messages, reasons and accounts to hide"
    urls = _public_urls()
    assert len(urls) > 30
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        shown = " ".join([body, text_of(body)]) if url.endswith("/") or "?" in url else body
        leaked = [s for s in secrets if s in shown]
        assert leaked == [], f"{url} shows {leaked[:3]}"

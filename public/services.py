"""Publishing: the open-data files and the public catalogue, regenerated together from the awards.

`publish()` is run by the scheduled task `public.tasks.publish_open_data` (and by the command
`manage.py publish_open_data`, and at the end of `seed_demo`). It writes the two files as
`Publication` rows (the bytes every application server serves, with a strong ETag: the SHA-256 of
the content, unchanged when nothing changed) and rebuilds `CatalogueEntry` in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone

from core.text import search_key
from programme.models import Domain
from public.awards import Award, awards
from public.formats import giving_json, scdl_csv
from public.models import CatalogueEntry, Publication, PublicationKind


@dataclass(frozen=True)
class PublishResult:
    awards: int
    published: int
    catalogue: int
    changed: list[str]


def _store(kind: str, content: bytes, *, rows: int, skipped: int, now: datetime) -> bool:
    """Save the file; keep `generated_at` when the content did not change. True when it changed."""
    etag = hashlib.sha256(content).hexdigest()
    current = Publication.objects.filter(kind=kind).first()
    if current is not None and current.etag == etag:
        return False
    Publication.objects.update_or_create(
        kind=kind,
        defaults={"content": content, "etag": etag, "rows": rows, "skipped": skipped, "generated_at": now},
    )
    return True


def _rebuild_catalogue(found: list[Award]) -> int:
    domains = {d.code: d for d in Domain.objects.all()}
    CatalogueEntry.objects.all().delete()
    entries: list[CatalogueEntry] = []
    domain_links: list[tuple[str, list[str]]] = []
    for award in found:
        for item in award.items:
            labels = " ".join(domains[c].label for c in item.domain_codes if c in domains)
            text = " ".join(
                [item.title, item.summary, item.carrier_name, award.authority.name, award.department.name, labels]
            )
            entries.append(
                CatalogueEntry(
                    key=item.key,
                    award_key=award.key,
                    kind=award.kind,
                    title=item.title[:200],
                    summary=item.summary,
                    carrier_name=item.carrier_name[:200],
                    authority=award.authority,
                    department=award.department,
                    campaign_year=award.campaign_year,
                    public=item.public,
                    planned_bpi=item.planned_bpi,
                    planned_newcomers=item.planned_newcomers,
                    amount=item.amount,
                    search_text=search_key(text),
                )
            )
            domain_links.append((item.key, item.domain_codes))
    CatalogueEntry.objects.bulk_create(entries, batch_size=1000)
    ids = dict(CatalogueEntry.objects.values_list("key", "pk"))
    through = CatalogueEntry.domains.through
    through.objects.bulk_create(
        [
            through(catalogueentry_id=ids[key], domain_id=domains[code].pk)
            for key, codes in domain_links
            for code in codes
            if code in domains
        ],
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        # The French configuration stems the accent-folded text ("logements" finds "logement").
        CatalogueEntry.objects.update(search_vector=SearchVector("search_text", config="french"))
    return len(entries)


@transaction.atomic
def publish(*, now: datetime | None = None) -> PublishResult:
    moment = now or timezone.now()
    found = awards()
    published = [a for a in found if a.publishable]
    skipped = len(found) - len(published)
    site_url = settings.SITE_URL.rstrip("/")
    changed = []
    if _store(PublicationKind.SCDL, scdl_csv(found), rows=len(published), skipped=skipped, now=moment):
        changed.append(PublicationKind.SCDL.value)
    giving = giving_json(found, site_url=site_url, generated_at=moment)
    # The package's dates change at each run: compare the grants, not the dates, to keep the ETag.
    previous = Publication.objects.filter(kind=PublicationKind.GIVING).first()
    if previous is None or _grants_of(bytes(previous.content)) != _grants_of(giving):
        _store(PublicationKind.GIVING, giving, rows=len(published), skipped=skipped, now=moment)
        changed.append(PublicationKind.GIVING.value)
    catalogue = _rebuild_catalogue(found)
    return PublishResult(awards=len(found), published=len(published), catalogue=catalogue, changed=changed)


def _grants_of(content: bytes) -> object:
    return json.loads(content).get("grants")

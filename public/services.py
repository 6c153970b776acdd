"""Publishing: the open-data files and the public catalogue, regenerated together from the awards.

`publish()` is run by the scheduled task `public.tasks.publish_open_data` (and by the command
`manage.py publish_open_data`, and at the end of `seed_demo`). It writes the two files as
`Publication` rows (the bytes every application server serves, with a strong ETag: the SHA-256 of
the content, unchanged when nothing changed) and rebuilds `CatalogueEntry` in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.bulk import copy_rows, insert_rows
from core.text import search_key
from programme.models import Domain
from public.awards import Award, awards
from public.formats import GIVING_GRANTS_MARKER, giving_json, scdl_csv
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
    # The previous file's ETag only: its content (tens of megabytes at scale) is not read back.
    current = Publication.objects.filter(kind=kind).values_list("etag", flat=True).first()
    if current == etag:
        return False
    values = {"etag": etag, "rows": rows, "skipped": skipped, "generated_at": now}
    if current is None:
        Publication.objects.create(kind=kind, content=b"", **values)
    else:
        Publication.objects.filter(kind=kind).update(**values)
    _write_content(kind, content)
    return True


def _write_content(kind: str, content: bytes) -> None:
    """Write the file's bytes. On PostgreSQL as a binary parameter bound by the server: the client-side
    binding of Django's cursors would spell tens of megabytes out in hexadecimal inside the SQL text."""
    if connection.vendor != "postgresql":
        Publication.objects.filter(kind=kind).update(content=content)
        return
    import psycopg

    connection.ensure_connection()
    table = connection.ops.quote_name(Publication._meta.db_table)
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"UPDATE {table} SET content = %b WHERE kind = %s", [content, kind])


_CATALOGUE_FIELDS = (
    "key",
    "award_key",
    "kind",
    "title",
    "summary",
    "carrier_name",
    "authority_id",
    "department_id",
    "campaign_year",
    "public",
    "planned_bpi",
    "planned_newcomers",
    "amount",
    "search_text",
)


def _rebuild_catalogue(found: list[Award]) -> int:
    """Replace the catalogue: two DELETEs, the entries and their domains written in bulk (COPY on
    PostgreSQL), the search vector computed by the database in one UPDATE."""
    domains = {d.code: d for d in Domain.objects.all()}
    through = CatalogueEntry.domains.through
    # Nothing points at the entries but their domain links, and no signal listens: one DELETE per
    # table, whatever the number of rows (the ORM's delete() would read every entry first).
    with connection.cursor() as cursor:
        for model in (through, CatalogueEntry):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")

    def rows() -> Iterator[tuple[object, ...]]:
        for award in found:
            for item in award.items:
                labels = " ".join(domains[c].label for c in item.domain_codes if c in domains)
                text = " ".join(
                    [item.title, item.summary, item.carrier_name, award.authority.name, award.department.name, labels]
                )
                yield (
                    item.key,
                    award.key,
                    award.kind,
                    item.title[:200],
                    item.summary,
                    item.carrier_name[:200],
                    award.authority.pk,
                    award.department.pk,
                    award.campaign_year,
                    item.public,
                    item.planned_bpi,
                    item.planned_newcomers,
                    item.amount,
                    search_key(text),
                )

    if connection.vendor == "postgresql":
        count = _copy_entries_with_search_vector(rows())
    else:
        count = insert_rows(CatalogueEntry, _CATALOGUE_FIELDS, rows())
    ids = dict(CatalogueEntry.objects.order_by().values_list("key", "pk"))
    links = (
        (ids[item.key], domains[code].pk)
        for award in found
        for item in award.items
        for code in item.domain_codes
        if code in domains
    )
    insert_rows(through, ("catalogueentry_id", "domain_id"), links)
    return count


def _copy_entries_with_search_vector(rows: Iterator[tuple[object, ...]]) -> int:
    """PostgreSQL: COPY the entries into a temporary table, then one INSERT … SELECT computes each
    search vector as it writes the row (an UPDATE afterwards would write every row and its index
    entries twice). The French configuration stems the accent-folded text ("logements" finds
    "logement")."""
    table = connection.ops.quote_name(CatalogueEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _CATALOGUE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE catalogue_load ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        count = copy_rows("catalogue_load", _CATALOGUE_FIELDS, rows)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, search_vector) "
            f"SELECT {columns}, to_tsvector('french'::regconfig, search_text) FROM catalogue_load"
        )
        cursor.execute("DROP TABLE catalogue_load")
    return count


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
    previous = Publication.objects.filter(kind=PublicationKind.GIVING).values_list("content", flat=True).first()
    if previous is None or _grants_of(bytes(previous)) != _grants_of(giving):
        _store(PublicationKind.GIVING, giving, rows=len(published), skipped=skipped, now=moment)
        changed.append(PublicationKind.GIVING.value)
    catalogue = _rebuild_catalogue(found)
    return PublishResult(awards=len(found), published=len(published), catalogue=catalogue, changed=changed)


def _grants_of(content: bytes) -> bytes:
    """The grants of a 360Giving file as written by `giving_json` (its last key): compared as bytes,
    without parsing two files of tens of megabytes. A file in another layout compares unequal, so
    it is rewritten once."""
    start = content.find(GIVING_GRANTS_MARKER)
    return content[start:] if start >= 0 else content

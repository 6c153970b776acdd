"""Time `public.services.publish()` on a bench database and fingerprint what it writes.

DATABASE_URL=…/<a copy of the bench database> DJANGO_SETTINGS_MODULE=config.settings.bench \\
    python -m bench.publish_check

Runs inside a transaction rolled back at the end (the database is left as it was): the two
`Publication` rows are deleted first, so both files are written, with a fixed date. Prints JSON:
seconds, peak RSS before and after (MB), the result, the SHA-256 of each file and of the catalogue
rows (every column but the id, the search vector as text, the domain codes). Run it before and
after a change of the publication code: the fingerprints must be identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import time
from datetime import UTC, datetime
from typing import Any

import django

CATALOGUE_ROWS = """
    SELECT e.key, e.award_key, e.kind, e.title, e.summary, e.carrier_name, e.authority_id, e.department_id,
           e.campaign_year, e.public, e.planned_bpi, e.planned_newcomers, e.amount::text, e.search_text,
           e.search_vector::text,
           (SELECT string_agg(d.code, ',' ORDER BY d.code) FROM public_catalogueentry_domains l
            JOIN programme_domain d ON d.id = l.domain_id WHERE l.catalogueentry_id = e.id)
    FROM public_catalogueentry e ORDER BY e.key
"""


class _Rollback(Exception):
    pass


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    django.setup()
    from django.db import connection, transaction

    from public.models import Publication
    from public.services import publish

    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            Publication.objects.all().delete()
            out["rss_before_mb"] = _rss_mb()
            started = time.perf_counter()
            result = publish(now=datetime(2030, 10, 15, 12, 0, tzinfo=UTC))
            out["seconds"] = round(time.perf_counter() - started, 2)
            out["rss_after_mb"] = _rss_mb()
            out["result"] = [result.awards, result.published, result.catalogue, result.changed]
            for publication in Publication.objects.order_by("kind"):
                content = bytes(publication.content)
                out[publication.kind] = [hashlib.sha256(content).hexdigest(), publication.rows, len(content)]
            digest = hashlib.sha256()
            count = 0
            with connection.cursor() as cursor:
                cursor.execute(CATALOGUE_ROWS)
                for row in cursor.fetchall():
                    digest.update(repr(row).encode())
                    count += 1
            out["catalogue"] = [count, digest.hexdigest()]
            raise _Rollback
    except _Rollback:
        pass
    out["load"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

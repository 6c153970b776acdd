"""The scheduled regeneration of the open-data files and the catalogue (`manage.py crontask`
enqueues it every night; idempotent: the files change, and their ETag, only when the data did)."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from public.services import publish


@cron("30 4 * * *")  # type: ignore[untyped-decorator]
@task
def publish_open_data() -> dict[str, object]:
    result = publish()
    return {"awards": result.awards, "published": result.published, "catalogue": result.catalogue}

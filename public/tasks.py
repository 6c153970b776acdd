"""The scheduled regeneration of the open-data files and the catalogue (a django.tasks task; the
scheduler that enqueues it periodically lives with the runtime configuration)."""

from __future__ import annotations

from django.tasks import task

from public.services import publish


@task
def publish_open_data() -> dict[str, object]:
    result = publish()
    return {"awards": result.awards, "published": result.published, "catalogue": result.catalogue}

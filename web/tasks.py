"""The exports too large to stream (web.exports.exported): written by a worker, then purged.

- `run_export(id)`: lists the rows with the list's own builder, for the requester and his filters,
  writes the CSV or XLSX to the storage, recording its progress (rows written) once a second.
  Idempotent: a finished export is not written again; one cut short (worker killed, failure) is
  written again from the start.
- `purge_exports` (every hour): deletes the exports past their `expires_at`, files included.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence

from crontask import cron
from django.core.files import File
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from jobs.models import Export, ExportStatus
from web.exports import Builder, Cell, write_csv, write_xlsx

PROGRESS_EVERY = 500  # rows between two looks at the clock
PROGRESS_SECONDS = 1.0  # the progress written at most once a second (its page polls every 2 s)


def _counted(export: Export, rows: Iterable[Sequence[Cell]]) -> Iterator[Sequence[Cell]]:
    done, written = 0, time.monotonic()
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0 and time.monotonic() - written >= PROGRESS_SECONDS:
            # One UPDATE (and its commit) every 500 rows was a fifth of a 200 000-row export.
            Export.objects.filter(pk=export.pk).update(rows_done=done)
            written = time.monotonic()
    export.rows_done = done


@task
def run_export(export_id: int) -> str:
    export = Export.objects.select_related("requester").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return "absent" if export is None else "done"
    if export.file:
        export.file.delete(save=False)  # a run cut short: start again
    export.status, export.rows_done, export.error = ExportStatus.RUNNING, 0, ""
    export.save(update_fields=["status", "rows_done", "error", "file"])
    try:
        build: Builder = import_string(export.builder)
        listing = build(export.requester, QueryDict(export.query))
        export.rows_total = listing.count
        Export.objects.filter(pk=export.pk).update(rows_total=listing.count)
        with tempfile.TemporaryFile(suffix=f".{export.format}") as output:
            rows = _counted(export, listing.rows)
            if export.format == "csv":
                write_csv(output, listing.header, rows)
            else:
                write_xlsx(output, listing.header, rows, title=listing.title)
            output.seek(0)
            export.file.save(export.filename, File(output), save=False)
    except Exception as error:
        export.status, export.error = ExportStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
        export.save(update_fields=["status", "error"])
        raise
    export.status = ExportStatus.DONE
    export.save(update_fields=["status", "rows_done", "rows_total", "file"])
    return "done"


@cron("7 * * * *")  # type: ignore[untyped-decorator]
@task
def purge_exports() -> int:
    expired = Export.objects.filter(expires_at__lt=timezone.now())
    count = 0
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count

"""An export run as a task: its progress (polled by htmx every 2 s, or on reload) and its file,
for its requester only (404 for anyone else), until it expires."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jobs.models import Export, ExportStatus
from web.exports import XLSX_TYPE


def _own_export(request: HttpRequest, pk: int) -> Export:
    if not request.user.is_authenticated:
        raise Http404
    export = Export.objects.filter(pk=pk, requester=request.user).first()
    if export is None:
        raise Http404
    return export


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    context = {
        "export": export,
        "expired": export.expires_at <= timezone.now(),
        "working": export.status in (ExportStatus.PENDING, ExportStatus.RUNNING),
    }
    template = "web/exports/_status.html" if request.headers.get("HX-Request") else "web/exports/detail.html"
    return render(request, template, context)


def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = _own_export(request, pk)
    if export.status != ExportStatus.DONE or export.expires_at <= timezone.now() or not export.file:
        raise Http404
    content_type = "text/csv; charset=utf-8" if export.format == "csv" else XLSX_TYPE
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename, content_type=content_type)

"""Importing contracts from a spreadsheet: upload, preview (nothing written), confirm. Administrators
and the Diair only; others get 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from imports.models import ContractImport
from imports.reading import FileError
from imports.services import apply_upload, may_import, preview_upload
from programme.errors import TransitionError
from web.forms.imports import ContractImportForm
from web.views.accounts import _require

STATUS_LABELS = {
    "created": ("Créé", "success"),
    "present": ("Déjà présent", "info"),
    "ambiguous": ("Ambigu", "warning"),
    "rejected": ("Refusé", "error"),
}


@_require(may_import)
def contract_import(request: HttpRequest) -> HttpResponse:
    form = ContractImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name = request.FILES["file"].name
        try:
            upload = preview_upload(
                user=request.user,
                file_name=name,
                content=form.cleaned_data["file"],
                partial=form.cleaned_data["partial"],
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("web:contract_import_detail", pk=upload.pk)
    recent = ContractImport.objects.select_related("uploaded_by", "applied_by").defer("content")[:20]
    return render(
        request,
        "web/imports/contract_import.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


@_require(may_import)
def contract_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(
        ContractImport.objects.select_related("uploaded_by", "applied_by").defer("content"), pk=pk
    )
    shown = upload.shown
    rows = []
    for row, name in zip(shown.get("rows", []), shown.get("names", []), strict=False):
        label, level = STATUS_LABELS[row["status"]]
        rows.append({**row, "name": name, "label": label, "level": level})
    return render(
        request,
        "web/imports/contract_import_detail.html",
        {"upload": upload, "rows": rows, "summary": shown["summary"]},
    )


@require_POST
@_require(may_import)
def contract_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(ContractImport.objects.defer("content"), pk=pk)
    try:
        applied = apply_upload(user=request.user, upload=upload)
    except TransitionError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if applied.applied_at:
            messages.success(request, applied.result["summary"])
        else:
            messages.error(request, applied.result["summary"])
    return redirect("web:contract_import_detail", pk=pk)

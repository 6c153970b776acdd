"""Data in. Importing contracts from a spreadsheet: upload, preview (nothing written), confirm —
administrators and the Diair. Connecting a démarche of Démarches Simplifiées, testing the connection
and mapping its fields to a PTAI's — administrators. Others get 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from imports.ds.client import DsError
from imports.ds.sync import check_connection, connect_demarche, demarche_fields, may_connect, set_mapping
from imports.models import ContractImport, Demarche
from imports.reading import FileError
from imports.services import apply_upload, may_import, preview_upload
from imports.tasks import sync_demarche_now
from programme.errors import TransitionError
from web.forms.imports import ContractImportForm, DemarcheConnectForm, DemarcheMappingForm
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
        {"form": form, "recent": recent, "can_connect": may_connect(request.user)},
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


@_require(may_connect)
def demarche_list(request: HttpRequest) -> HttpResponse:
    """The connected démarches, and the form that connects one (or connects it again, new token)."""
    form = DemarcheConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demarche = connect_demarche(
                user=request.user,
                number=data["number"],
                token=data["token"],
                campaign=data["campaign"],
                write_back=data["write_back"],
                instructeur_id=data["instructeur_id"],
            )
        except DsError as error:
            form.add_error(None, f"{error} Vérifiez le numéro et le jeton : rien n'a été enregistré.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{demarche} connectée : reliez maintenant ses champs à ceux du PTAI.")
            return redirect("web:demarche_detail", pk=demarche.pk)
    demarches = Demarche.objects.select_related("campaign").annotate(
        dossier_count=Count("dossiers"), draft_count=Count("dossiers__project")
    )
    return render(
        request,
        "web/imports/demarche_list.html",
        {"form": form, "demarches": demarches},
        status=400 if form.errors else 200,
    )


@_require(may_connect)
def demarche_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demarche = get_object_or_404(Demarche.objects.select_related("campaign", "connected_by"), pk=pk)
    dossiers = demarche.dossiers.select_related("project").order_by("number")
    form = DemarcheConnectForm(
        initial={
            "number": demarche.number,
            "campaign": demarche.campaign_id,
            "write_back": demarche.write_back,
            "instructeur_id": demarche.instructeur_id,
        }
    )
    return render(
        request,
        "web/imports/demarche_detail.html",
        {"demarche": demarche, "dossiers": dossiers, "form": form, "mapped": len(demarche.mapping)},
    )


@require_POST
@_require(may_connect)
def demarche_check(request: HttpRequest, pk: int) -> HttpResponse:
    demarche = get_object_or_404(Demarche, pk=pk)
    try:
        title = check_connection(demarche=demarche)
    except DsError as error:
        messages.error(request, f"Connexion impossible. {error}")
    else:
        messages.success(request, f"Connexion réussie : Démarches Simplifiées répond pour « {title} ».")
    return redirect("web:demarche_detail", pk=pk)


@require_POST
@_require(may_connect)
def demarche_sync(request: HttpRequest, pk: int) -> HttpResponse:
    demarche = get_object_or_404(Demarche, pk=pk)
    if not demarche.mapping:
        messages.error(request, "Reliez d'abord les champs de la démarche à ceux du PTAI.")
    else:
        sync_demarche_now.enqueue(demarche.pk)
        messages.success(
            request, "Synchronisation demandée : les dossiers modifiés sur Démarches Simplifiées arrivent."
        )
    return redirect("web:demarche_detail", pk=pk)


@_require(may_connect)
def demarche_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """The démarche's fields (asked to DS), each mapped to a PTAI field or left aside."""
    demarche = get_object_or_404(Demarche, pk=pk)
    try:
        fields = demarche_fields(demarche=demarche)
    except DsError as error:
        context = {"demarche": demarche, "form": None, "error": str(error)}
        return render(request, "web/imports/demarche_mapping.html", context, status=502)
    form = DemarcheMappingForm(request.POST or None, fields=fields, mapping=demarche.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            set_mapping(user=request.user, demarche=demarche, mapping=form.mapping())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Correspondance enregistrée : la prochaine synchronisation l'utilise.")
            return redirect("web:demarche_detail", pk=pk)
    return render(
        request,
        "web/imports/demarche_mapping.html",
        {"demarche": demarche, "form": form, "error": ""},
        status=400 if form.errors else 200,
    )

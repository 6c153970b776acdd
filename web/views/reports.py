"""Reports on actions: the list (late ones first to find), a report's page with its form (the
collectivité or the invited opérateur), its review (the State agent accepts or asks for
completion) and the invitation of the opérateur. Reports are fetched through `for_user`: 404
outside the reader's scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from contracts.models import Action, Contract
from documents.models import Document
from programme.errors import TransitionError
from projects.models import Project
from reporting import permissions as perm
from reporting.enums import ReportState
from reporting.models import Report
from reporting.services import REPORT, apply_transition, attach_to_report, invite_operator, save_report
from steering.models import Evaluation
from steering.schedule import (
    REPORTED_PROJECT_STATES,
    ensure_project_reports,
)
from web.forms.contracts import DocumentUploadForm
from web.forms.reports import PERSONAL_DATA_NOTICE, ReportFilterForm, ReportForm, ReportReviewForm
from web.paging import ListPaginator

PAGE_SIZE = 50
# The list's totals: key in the template → indicator code in a report's values.
REACHED = {"bpi": "bpi_reached", "others": "newcomers_reached"}


def report_list(request: HttpRequest) -> HttpResponse:
    reports = Report.objects.for_user(request.user)
    form = ReportFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["etat"]:
            reports = reports.filter(state=data["etat"])
        if data["periode"]:
            reports = reports.filter(period=data["periode"])
        if data["retard"]:
            reports = reports.late()
        if data["departement"]:
            reports = reports.filter(department__code=data["departement"])
    # The count and the people reached by the listed reports (the dashboard's "accompagnés" links
    # here) in one query, summed by the database from the reports' values.
    totals = reports.order_by().aggregate(
        n=Count("pk"),
        **{key: Sum(Cast(KeyTextTransform(code, "values"), IntegerField())) for key, code in REACHED.items()},
    )
    reached = {key: totals[key] or 0 for key in REACHED}
    # The page's ids first (an index-only scan of (due_on, id)), then its 50 reports with their joins.
    ids_page = ListPaginator(
        reports.order_by("due_on", "pk").values_list("pk", flat=True), PAGE_SIZE, count=totals["n"]
    )
    page = ids_page.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = Report.objects.select_related("department", "authority", "campaign").in_bulk(ids)
    context = {"form": form, "page": page, "reports": [rows[pk] for pk in ids if pk in rows], "reached": reached}
    return render(request, "web/reports/list.html", context)


def _target_url(report: Report) -> str:
    target = report.target
    if isinstance(target, Project):
        return reverse("web:project_detail", args=[target.pk])
    if isinstance(target, Action):
        return reverse("web:programming_detail", args=[target.programming_id])
    return ""


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = (
        Report.objects.for_user(request.user)
        .select_related("department", "authority", "operator", "campaign", "submitted_by", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    user = request.user
    editable = report.state in (ReportState.EXPECTED, ReportState.COMPLETION_REQUESTED) and perm.may_enter(report, user)
    form = ReportForm(request.POST if request.POST.get("action") == "save" else None, report=report)
    review = ReportReviewForm(request.POST if request.POST.get("action") in ("accept", "request_completion") else None)
    upload = DocumentUploadForm(*((request.POST, request.FILES) if request.POST.get("action") == "attach" else ()))
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save" and editable and form.is_valid():
                save_report(
                    report=report,
                    user=user,
                    values=form.values(),
                    narrative=form.cleaned_data["narrative"],
                    spent_amount=form.cleaned_data["spent_amount"],
                )
                if request.POST.get("submit") == "1":
                    apply_transition(report=Report.objects.get(pk=report.pk), name="submit", user=user)
                    messages.success(request, "Le bilan est remis : l'agent de l'État en est informé.")
                else:
                    messages.success(request, "Le bilan est enregistré ; il reste à le remettre.")
                return redirect("web:report_detail", pk=report.pk)
            if action in ("accept", "request_completion") and review.is_valid():
                apply_transition(report=report, name=action, user=user, reason=review.cleaned_data["reason"])
                messages.success(
                    request, "Le bilan est accepté." if action == "accept" else "Les compléments sont demandés."
                )
                return redirect("web:report_detail", pk=report.pk)
            if action == "attach" and editable and upload.is_valid():
                document = attach_to_report(
                    report=report, user=user, uploaded_file=upload.cleaned_data["file"], inspected=upload.inspected
                )
                messages.success(request, f"« {document.original_name} » est joint au bilan.")
                return redirect("web:report_detail", pk=report.pk)
            if action == "invite":
                invite_operator(report=report, user=user)
                messages.success(request, "L'opérateur de l'action est invité à saisir le bilan.")
                return redirect("web:report_detail", pk=report.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except TransitionError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("web:report_detail", pk=report.pk)
        except ValidationError as exc:
            target_form = upload if action == "attach" else form
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    target_form.add_error(field if field in target_form.fields else None, errors)
            else:
                target_form.add_error(None, exc.messages)
    transitions = {t.name for t in REPORT.available(report, user)}
    return render(
        request,
        "web/reports/detail.html",
        {
            "report": report,
            "form": form if editable else None,
            "upload": upload if editable else None,
            "attachments": Document.objects.for_target(report).visible_to(user).order_by("created_at", "pk"),
            "review": review if transitions & {"accept", "request_completion"} else None,
            "may_invite": perm.may_invite_operator(report, user) and not report.operator_invited,
            "notice": PERSONAL_DATA_NOTICE,
            "target_url": _target_url(report),
            "history": report.transitions.select_related("actor"),
        },
        status=400 if request.method == "POST" else 200,
    )


def report_document_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file joined to a report: whoever may see the report may download it; else 404."""
    document = (
        Document.objects.visible_to(request.user)
        .filter(pk=pk, target_type=ContentType.objects.get_for_model(Report))
        .first()
    )
    if document is None or not Report.objects.for_user(request.user).filter(pk=document.target_id).exists():
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


def file_steering_context(file: Project | Contract) -> dict[str, Any]:
    """The reports and the evaluations of a PTAI, or of a CTAI's actions, for the file's page (two
    queries). Reached through the file's own scoped page: no second scope check."""
    if isinstance(file, Project):
        file_reports = Report.objects.for_target(file)
        if file.state in REPORTED_PROJECT_STATES and not file.historical and not file_reports.exists():
            ensure_project_reports(file)  # committed since the last daily run: owed from now on
        evaluations = Evaluation.objects.filter(
            target_type=ContentType.objects.get_for_model(Project), target_id=file.pk
        )
    else:
        actions = Action.objects.filter(programming__contract=file).values("pk")
        file_reports = Report.objects.filter(
            target_type=ContentType.objects.get_for_model(Action), target_id__in=actions
        )
        evaluations = Evaluation.objects.filter(contract=file)
    return {
        "file_reports": list(file_reports.select_related("campaign").order_by("due_on", "pk")),
        "file_evaluations": list(evaluations.order_by("-completed_on", "pk")),
    }

"""« Référents locaux »: the préfecture's agents keep the contacts of their département (F08), which
the public page « Vos contacts locaux » shows. Another département's referent answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from public.models import Referent
from public.referents import delete_referent, managed_departments, save_referent
from web.forms.public import ReferentForm


def _managed(request: HttpRequest) -> tuple[object, object]:
    departments = managed_departments(request.user)
    if not departments.exists():
        raise Http404
    return departments, Referent.objects.filter(department__in=departments).select_related("department")


def referent_list(request: HttpRequest) -> HttpResponse:
    departments, referents = _managed(request)
    return render(request, "web/referents/list.html", {"referents": referents, "departments": departments})


def referent_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    departments, referents = _managed(request)
    referent = get_object_or_404(referents, pk=pk) if pk is not None else None  # type: ignore[arg-type]
    previous = referent.department if referent is not None else None
    form = ReferentForm(request.POST or None, instance=referent, departments=departments)
    if request.method == "POST" and form.is_valid():
        save_referent(actor=request.user, referent=form.instance, previous_department=previous)
        messages.success(request, "Le référent est enregistré ; la page « Vos contacts locaux » le montre.")
        return redirect("web:referent_list")
    context = {"form": form, "referent": referent}
    return render(request, "web/referents/form.html", context, status=400 if form.errors else 200)


@require_POST
def referent_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _, referents = _managed(request)
    referent = get_object_or_404(referents, pk=pk)  # type: ignore[arg-type]
    delete_referent(actor=request.user, referent=referent)
    messages.success(request, f"Le référent « {referent.service} » est supprimé.")
    return redirect("web:referent_list")

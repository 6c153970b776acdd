"""Campaign (millésime), domain and national-strategy priority pages: administrators edit; the Diair and
the Ministère read."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.models import Event
from programme import services
from programme.enums import SIGNATORY_CHOICES
from programme.models import Campaign, Domain, Priority
from programme.rules import RULES
from reporting.models import Indicator
from reporting.services import indicators_for, save_indicator
from web.context_processors import STATE_ROLES
from web.forms.programme import CampaignForm, DomainForm, IndicatorForm, PriorityForm
from web.views.accounts import _require

SIGNATORY_LABELS = dict(SIGNATORY_CHOICES)


@_require(services.can_read_programme)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(Campaign.objects.order_by("-year"))
    context = {
        "campaigns": campaigns,
        "next_year": campaigns[0].year + 1 if campaigns else None,
        "can_manage": services.can_manage_programme(request.user),
    }
    return render(request, "web/programme/campaign_list.html", context)


@_require(services.can_read_programme)
def campaign_detail(request: HttpRequest, year: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_parameters(), year=year)
    context = {
        "campaign": campaign,
        "signatories": [SIGNATORY_LABELS.get(code, code) for code in sorted(campaign.signatory_natures)],
        "rules": RULES,
        "can_manage": services.can_manage_programme(request.user),
        # A State-only detail: the rule ids the API answers with.
        "show_rule_ids": request.user.has_role(*STATE_ROLES),
        "events": Event.objects.for_target(campaign).timeline()[:50],
    }
    return render(request, "web/programme/campaign_detail.html", context)


@_require(services.can_manage_programme)
def campaign_edit(request: HttpRequest, year: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.with_parameters(), year=year)
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_campaign(actor=request.user, campaign=campaign, values=form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(request, f"Les paramètres de la campagne {year} ont été enregistrés.")
            else:
                messages.info(request, "Aucun paramètre n'a changé.")
            return redirect("web:campaign_detail", year=year)
    return render(
        request,
        "web/programme/campaign_form.html",
        {"campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@_require(services.can_manage_programme)
def campaign_create_next(request: HttpRequest) -> HttpResponse:
    try:
        campaign = services.create_next_campaign(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:campaign_list")
    messages.success(
        request, f"La campagne {campaign.year} a été créée par copie de la précédente : vérifiez ses paramètres."
    )
    return redirect("web:campaign_edit", year=campaign.year)


@_require(services.can_read_programme)
def domain_list(request: HttpRequest) -> HttpResponse:
    context = {"domains": Domain.objects.all(), "can_manage": services.can_manage_programme(request.user)}
    return render(request, "web/programme/domain_list.html", context)


def _rename_page(
    request: HttpRequest,
    obj: Domain | Priority,
    *,
    form_class: type[DomainForm] | type[PriorityForm],
    rename: Callable[..., bool],
    done: str,
    back: str,
    template: str,
    name: str,
) -> HttpResponse:
    """The page that renames a domain or a priority of the programme (one form: its label), with its
    timeline; `rename(actor=…, label=…)` is the service, `done` the message when the label changed."""
    form = form_class(request.POST or None, initial={"label": obj.label})
    if request.method == "POST" and form.is_valid():
        try:
            changed = rename(actor=request.user, label=form.cleaned_data["label"])
        except ValidationError as error:
            form.add_error("label", error.message_dict.get("label", error.messages))
        else:
            if changed:
                messages.success(request, done)
            return redirect(back)
    context = {name: obj, "form": form, "events": Event.objects.for_target(obj).timeline()[:50]}
    return render(request, template, context, status=400 if form.errors else 200)


@_require(services.can_manage_programme)
def domain_edit(request: HttpRequest, code: str) -> HttpResponse:
    domain = get_object_or_404(Domain, code=code)
    return _rename_page(
        request,
        domain,
        form_class=DomainForm,
        rename=partial(services.rename_domain, domain=domain),
        done="Le libellé du domaine a été modifié.",
        back="web:domain_list",
        template="web/programme/domain_form.html",
        name="domain",
    )


@_require(services.can_read_programme)
def priority_list(request: HttpRequest) -> HttpResponse:
    """F13: the priorities of the national strategy for refugees that CTAI actions serve."""
    context = {"priorities": Priority.objects.all(), "can_manage": services.can_manage_programme(request.user)}
    return render(request, "web/programme/priority_list.html", context)


@_require(services.can_manage_programme)
def priority_edit(request: HttpRequest, code: str) -> HttpResponse:
    priority = get_object_or_404(Priority, code=code)
    return _rename_page(
        request,
        priority,
        form_class=PriorityForm,
        rename=partial(services.rename_priority, priority=priority),
        done="Le libellé de la priorité a été modifié.",
        back="web:priority_list",
        template="web/programme/priority_form.html",
        name="priority",
    )


# --- The campaign's indicator set of the reports on actions --------------------------------------


@_require(services.can_read_programme)
def indicator_list(request: HttpRequest, year: int) -> HttpResponse:
    """The indicators the reports of a year ask for; administrators add and change them. A report
    keeps the set it was made with: a change here applies to the reports created from now on."""
    campaign = get_object_or_404(Campaign, year=year)
    indicators_for(campaign)
    context = {
        "campaign": campaign,
        "indicators": Indicator.objects.filter(campaign=campaign).order_by("position", "pk"),
        "can_manage": services.can_manage_programme(request.user),
        "events": Event.objects.for_target(campaign).filter(verb__startswith="reporting.indicator").timeline()[:50],
    }
    return render(request, "web/programme/indicator_list.html", context)


@_require(services.can_manage_programme)
def indicator_edit(request: HttpRequest, year: int, code: str = "") -> HttpResponse:
    campaign = get_object_or_404(Campaign, year=year)
    indicator = get_object_or_404(Indicator, campaign=campaign, code=code) if code else None
    initial = (
        {
            "label": indicator.label,
            "group": indicator.group,
            "position": indicator.position,
            "is_active": indicator.is_active,
        }
        if indicator
        else {"is_active": True, "position": Indicator.objects.filter(campaign=campaign).count()}
    )
    form = IndicatorForm(request.POST or None, initial=initial, adding=indicator is None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_indicator(
                actor=request.user,
                campaign=campaign,
                indicator=indicator,
                code=data.get("code", ""),
                label=data["label"],
                group=data["group"],
                position=data["position"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "L'indicateur est enregistré ; il vaut pour les bilans créés désormais.")
            return redirect("web:indicator_list", year=campaign.year)
    title = indicator.label if indicator else "Nouvel indicateur"
    context = {"campaign": campaign, "indicator": indicator, "form": form, "page_label": title}
    return render(request, "web/programme/indicator_form.html", context, status=400 if form.errors else 200)

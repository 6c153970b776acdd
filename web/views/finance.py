"""Budget pages: the national page, an envelope's page, delegate / reverse / open credits (with a
confirmation step), the ledger with its CSV and XLSX exports.

Reading: every envelope and entry comes through `Envelope.objects.for_user(user)` (404 outside).
Balances: always `finance.balances.balances(ids)`, one grouped query for every envelope shown.
Writing: the `finance.services` functions; a form's first POST shows a confirmation page carrying
the figures as hidden fields and the state the user saw (the envelope's balance); the second POST
(`confirm=1`) writes only if that state is unchanged, so a double submission never writes twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from audit.models import Event
from core.formats import format_euros
from finance import permissions, services
from finance.balances import ZERO, Balance, balance, balances, earmarked
from finance.enums import EntryKind, EnvelopeLevel
from finance.models import Envelope, LedgerEntry
from programme.models import Campaign
from referential.models import scope_of
from web.exports import Cell, Listing, exported, request_for
from web.forms.finance import DelegateForm, EntryFilterForm, LedgerFilterForm, OpenCreditsForm, ReverseForm
from web.paging import ListPaginator
from web.views.accounts import _require

PAGE_SIZE = 50
TIMELINE_LENGTH = 50
EXPORT_CHUNK = 2000
NATIONAL_ROLES = (Role.MINISTRY, Role.DIAIR, Role.ADMIN)
BUDGET_ROLES = (Role.INSTRUCTOR, Role.PREFECT, *NATIONAL_ROLES)
STATE_CHANGED = (
    "Le solde a changé depuis votre demande (une autre opération a eu lieu, ou le formulaire a été envoyé "
    "deux fois) : vérifiez les montants et recommencez."
)


# --- Who may do what (the services decide: `finance.permissions`; the pages only ask) ---------------


def can_see_budget(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(*BUDGET_ROLES))


can_open_credits = permissions.may_open_credits
can_delegate_from = permissions.may_delegate_from
can_reverse = permissions.may_reverse


# --- Helpers ---------------------------------------------------------------------------------------


def _two_step(
    request: HttpRequest, form: Any, *, state: Callable[[], str], write: Callable[[], object], field: str | None
) -> str:
    """ "form" (show the form, with errors if any), "confirm" (show the confirmation) or "done".

    `state()` is what the user's decision rests on (a balance), computed with the rows locked; the
    confirmation carries the value seen at the first step and the write happens only if it is the same.
    """
    if request.method != "POST" or not form.is_valid():
        return "form"
    if request.POST.get("confirm") != "1":
        return "confirm"
    if request.POST.get("state") != state():
        form.add_error(None, STATE_CHANGED)
        return "form"
    try:
        write()
    except services.FinanceError as error:
        form.add_error(field if field in form.fields else None, error)
        return "form"
    return "done"


def _hidden(request: HttpRequest, form: Any, state: str) -> list[tuple[str, str]]:
    """The fields of the first POST, as hidden inputs of the confirmation page (raw, re-checked)."""
    return [(name, request.POST.get(name, "")) for name in form.fields] + [("state", state)]


def _locked(envelope: Envelope) -> Envelope:
    return Envelope.objects.select_for_update().get(pk=envelope.pk)


def _sort_key(envelope: Envelope) -> tuple[str, int, str]:
    """Régions by name, each followed by its départements; départements by code."""
    if envelope.region is not None:
        return (envelope.region.name, 0, "")
    assert envelope.department is not None
    return (envelope.department.region.name, 1, envelope.department.code)


@dataclass
class TerritoryRow:
    envelope: Envelope
    balance: Balance
    is_root: bool  # received from an envelope not in the table (the national one)

    @property
    def used(self) -> Decimal:
        return self.balance.received - self.balance.available

    @property
    def used_percent(self) -> int:
        if self.balance.received <= 0:
            return 0
        return int((self.used * 100 / self.balance.received).to_integral_value())


@dataclass
class Totals:
    received: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    available: Decimal = ZERO
    to_pay: Decimal = ZERO


def _territory_table(envelopes: list[Envelope], figures: dict[int, Balance]) -> tuple[list[TerritoryRow], Totals]:
    shown = {e.pk for e in envelopes}
    rows = [TerritoryRow(e, figures[e.pk], e.parent_id not in shown) for e in sorted(envelopes, key=_sort_key)]
    totals = Totals()
    for row in rows:
        # What reached the territories from outside the table; a delegation inside it is counted once.
        if row.is_root:
            totals.received += row.balance.received
        totals.committed += row.balance.committed
        totals.paid += row.balance.paid
        totals.available += row.balance.available
        totals.to_pay += row.balance.to_pay
    return rows, totals


# --- The budget page (national for national roles, the user's territory otherwise) ------------------


@_require(can_see_budget)
def budget(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = list(Campaign.objects.order_by("-year").only("pk", "year", "national_envelope"))
    if not campaigns:
        return render(request, "web/finance/budget.html", {"campaign": None, "campaigns": []})
    campaign = next((c for c in campaigns if str(c.year) == request.GET.get("annee")), campaigns[0])
    lines = list(campaign.budget_lines.order_by("code"))
    envelopes = list(
        Envelope.objects.for_user(user)
        .filter(campaign=campaign)
        .select_related("region", "department__region")
        .order_by("pk")
    )
    figures = balances(e.pk for e in envelopes)
    sections = []
    opened = ZERO
    for line in lines:
        national = next(
            (e for e in envelopes if e.budget_line_id == line.pk and e.level == EnvelopeLevel.NATIONAL), None
        )
        rows, totals = _territory_table(
            [e for e in envelopes if e.budget_line_id == line.pk and e.level != EnvelopeLevel.NATIONAL], figures
        )
        national_balance = figures[national.pk] if national else None
        if national_balance is not None:
            opened += national_balance.received
        sections.append(
            {
                "line": line,
                "national": national,
                "national_balance": national_balance,
                "can_delegate": national is not None and can_delegate_from(user, national),
                "rows": rows,
                "totals": totals,
                "caption": f"Crédits par territoire, ligne {line.code}, campagne {campaign.year}",
                "totals_id": f"totaux-{line.code}",
            }
        )
    context = {
        "campaign": campaign,
        "campaigns": campaigns,
        "sections": sections,
        "is_national": user.scope.national,  # type: ignore[union-attr]
        "opened": opened,
        "left_to_open": campaign.national_envelope - opened,
        "can_open": can_open_credits(user),
    }
    return render(request, "web/finance/budget.html", context)


@_require(can_open_credits)
def open_credits(request: HttpRequest, year: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, year=year)
    lines = list(campaign.budget_lines.order_by("code"))

    def opened() -> Decimal:
        total = LedgerEntry.objects.filter(
            envelope__campaign=campaign, envelope__level=EnvelopeLevel.NATIONAL, kind=EntryKind.ALLOCATION
        ).aggregate(total=Sum("amount"))["total"]
        return total or ZERO

    def state() -> str:
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # the service locks it too
        return str(opened())

    seen = opened()
    form = OpenCreditsForm(request.POST or None, campaign=campaign, lines=lines, left=campaign.national_envelope - seen)

    def write() -> object:
        return services.open_national_envelope(
            actor=request.user,
            campaign=campaign,
            budget_line=form.cleaned_data["budget_line"],
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )

    step = _two_step(request, form, state=state, write=write, field="amount")
    back = f"{reverse('web:budget')}?annee={campaign.year}"
    if step == "done":
        messages.success(
            request,
            f"{format_euros(form.cleaned_data['amount'])} ouverts sur la ligne "
            f"{form.cleaned_data['budget_line'].code} ({campaign.year}).",
        )
        return redirect(back)
    if step == "confirm":
        question = (
            f"Vous allez ouvrir {format_euros(form.cleaned_data['amount'])} de crédits sur la ligne "
            f"{form.cleaned_data['budget_line'].code} pour la campagne {campaign.year}. Confirmer ?"
        )
        return _confirm_page(request, "Ouvrir des crédits", question, _hidden(request, form, str(seen)), back)
    context = {"form": form, "campaign": campaign, "opened": seen, "back": back}
    return render(request, "web/finance/open_credits.html", context, status=400 if form.errors else 200)


def _confirm_page(
    request: HttpRequest, title: str, question: str, hidden: Sequence[tuple[str, str]], back: str
) -> HttpResponse:
    context = {"title": title, "question": question, "hidden": hidden, "back": back}
    return render(request, "web/finance/confirm.html", context)


# --- An envelope -----------------------------------------------------------------------------------


def _visible_envelopes(user: Any) -> QuerySet[Envelope]:
    return Envelope.objects.for_user(user).select_related(
        "campaign", "budget_line", "region", "department__region", "parent__region", "parent__department"
    )


@dataclass
class EntryRow:
    entry: LedgerEntry
    other: Envelope | None  # the other side of a delegation
    status: str  # "Annulée", "Libérée en partie" (a release written as a partial reversal, before 2026-12)
    can_reverse: bool
    file_label: str  # the file a commitment, payment, release or delegation belongs to
    file_url: str


def file_link(funded: Any) -> str:
    """The page of a funded file (PTAI, CTAI programming), for the ledger's rows."""
    name = {"Project": "web:project_detail", "Programming": "web:programming_detail"}.get(type(funded).__name__)
    return reverse(name, args=[funded.pk]) if name and funded is not None else ""


def _status(entry: LedgerEntry) -> str:
    reversal = getattr(entry, "reversed_by", None)
    if reversal is None:
        return ""
    return "Annulée" if reversal.amount == -entry.amount else "Libérée en partie"


def _entry_rows(user: Any, entries: Sequence[LedgerEntry]) -> list[EntryRow]:
    rows = []
    for entry in entries:
        other = None
        if entry.kind == EntryKind.DELEGATION_OUT and hasattr(entry, "counterpart_of"):
            other = entry.counterpart_of.envelope
        elif entry.kind == EntryKind.DELEGATION_IN and entry.counterpart is not None:
            other = entry.counterpart.envelope
        status = _status(entry)
        funded = entry.commitment.funded if entry.commitment is not None else entry.funded
        label = entry.commitment.label if entry.commitment is not None else str(funded or "")
        rows.append(EntryRow(entry, other, status, not status and can_reverse(user, entry), label, file_link(funded)))
    return rows


ENTRY_RELATED = (
    "created_by",
    "reversed_by",
    "commitment",
    "counterpart__envelope__region",
    "counterpart__envelope__department",
    "counterpart_of__envelope__region",
    "counterpart_of__envelope__department",
)
# The files the entries belong to: one query per kind of file (generic relations), not per row.
ENTRY_FILES = ("commitment__funded", "funded")


@_require(can_see_budget)
def envelope_detail(request: HttpRequest, pk: int) -> HttpResponse:
    envelope = get_object_or_404(_visible_envelopes(request.user), pk=pk)
    children = sorted(
        Envelope.objects.for_user(request.user).filter(parent=envelope).select_related("region", "department__region"),
        key=_sort_key,
    )
    figures = balances([envelope.pk, *(c.pk for c in children)])
    rows, totals = _territory_table(children, figures)
    form = EntryFilterForm(request.GET or None)
    entries = (
        form.filter(envelope.entries.all())
        .select_related(*ENTRY_RELATED)
        .prefetch_related(*ENTRY_FILES)
        .order_by("-created_at", "-pk")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))  # a count, then one page
    shown = list(page.object_list)
    for entry in shown:
        entry.envelope = envelope  # every entry is this envelope's: no query per row
    context = {
        "envelope": envelope,
        "balance": figures[envelope.pk],
        "earmarked": earmarked(envelope),
        "rows": rows,
        "totals": totals,
        "form": form,
        "page": page,
        "entries": _entry_rows(request.user, shown),
        "can_delegate": can_delegate_from(request.user, envelope),
        "events": Event.objects.for_target(envelope).timeline()[:TIMELINE_LENGTH],
    }
    return render(request, "web/finance/envelope_detail.html", context, status=400 if form.errors else 200)


@_require(can_see_budget)
def envelope_delegate(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(_visible_envelopes(request.user), pk=pk)
    if not can_delegate_from(request.user, source):
        raise Http404
    seen = balance(source.pk).available
    form = DelegateForm(request.POST or None, source=source, available=seen)

    def state() -> str:
        return str(balance(_locked(source).pk).available)

    def write() -> object:
        return services.delegate(
            actor=request.user,
            source=source,
            amount=form.cleaned_data["amount"],
            region=form.cleaned_data.get("region"),
            department=form.cleaned_data.get("department"),
            reason=form.cleaned_data["reason"],
        )

    step = _two_step(request, form, state=state, write=write, field="amount")
    back = reverse("web:envelope_detail", args=[source.pk])
    if step == "done":
        messages.success(request, f"{format_euros(form.cleaned_data['amount'])} délégués à {form.target}.")
        return redirect(back)
    if step == "confirm":
        question = (
            f"Vous allez déléguer {format_euros(form.cleaned_data['amount'])} de l'enveloppe {source} "
            f"à {form.target}. Confirmer ?"
        )
        return _confirm_page(request, "Déléguer des crédits", question, _hidden(request, form, str(seen)), back)
    context = {"form": form, "source": source, "available": seen, "back": back}
    return render(request, "web/finance/delegate.html", context, status=400 if form.errors else 200)


# --- Entries: reverse, the ledger, its exports ------------------------------------------------------


def _visible_entries(user: Any) -> QuerySet[LedgerEntry]:
    if scope_of(user).national:  # every entry: no semi-join over every envelope for the count
        return LedgerEntry.objects.all()
    return LedgerEntry.objects.filter(envelope__in=Envelope.objects.for_user(user))


@_require(can_see_budget)
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        _visible_entries(request.user).select_related(
            "envelope__campaign",
            "envelope__budget_line",
            "envelope__region",
            "envelope__department",
            "envelope__parent",
        ),
        pk=pk,
    )
    if not can_reverse(request.user, entry):
        raise Http404
    form = ReverseForm(request.POST or None)

    def state() -> str:
        _locked(entry.envelope)
        return "reversed" if LedgerEntry.objects.filter(reverses=entry).exists() else "open"

    def write() -> object:
        return services.reverse(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])

    step = _two_step(request, form, state=state, write=write, field="reason")
    back = reverse("web:envelope_detail", args=[entry.envelope_id])
    if step == "done":
        messages.success(request, f"L'écriture n° {entry.pk} est annulée.")
        return redirect(back)
    if step == "confirm":
        question = (
            f"Vous allez annuler l'écriture n° {entry.pk} ({entry.get_kind_display()} de "
            f"{format_euros(entry.amount)}, enveloppe {entry.envelope}). Confirmer ?"
        )
        return _confirm_page(request, "Annuler une écriture", question, _hidden(request, form, "open"), back)
    context = {"form": form, "entry": entry, "back": back}
    return render(request, "web/finance/reverse.html", context, status=400 if form.errors else 200)


LEDGER_RELATED = (
    "envelope__campaign",
    "envelope__budget_line",
    "envelope__region",
    "envelope__department",
    "created_by",
)


def _ledger(request: HttpRequest) -> tuple[LedgerFilterForm, QuerySet[LedgerEntry]]:
    years = list(Campaign.objects.order_by("-year").values_list("year", flat=True))
    form = LedgerFilterForm(request.GET or None, user=request.user, years=years)
    return form, form.filter(_visible_entries(request.user))


@_require(can_see_budget)
def ledger(request: HttpRequest) -> HttpResponse:
    form, entries = _ledger(request)
    # The count (estimated for the whole national ledger, web.paging), the page's ids by the
    # (created_at, id) index, then the page's entries with their joins.
    ids = entries.order_by("-created_at", "-pk").values_list("pk", flat=True)
    page = ListPaginator(ids, PAGE_SIZE, estimate=True).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    rows = LedgerEntry.objects.select_related(*LEDGER_RELATED).in_bulk(shown)
    context = {
        "form": form,
        "page": page,
        "entries": [rows[pk] for pk in shown if pk in rows],
        "query": request.GET.urlencode(),
    }
    return render(request, "web/finance/ledger.html", context, status=400 if form.errors else 200)


EXPORT_HEADER = (
    "N° d'écriture",
    "Date",
    "Campagne",
    "Ligne budgétaire",
    "Niveau",
    "Territoire",
    "Mouvement",
    "Montant (€)",
    "Annule l'écriture n°",
    "Motif",
    "Saisie par",
)


def _export_rows(entries: QuerySet[LedgerEntry]) -> Iterator[Sequence[Cell]]:
    """Plain tuples from the database (no model per row): the envelopes (a few thousand whatever
    the ledger's size) and the authors are read once, then each entry is a row of values."""
    kinds = dict(EntryKind.choices)
    levels = dict(EnvelopeLevel.choices)
    envelopes = {
        e.pk: (e.campaign.year, e.budget_line.code, levels[e.level], e.scope_label)
        for e in Envelope.objects.select_related("campaign", "budget_line", "department", "region")
    }
    emails = dict(User.objects.filter(pk__in=entries.order_by().values("created_by_id")).values_list("pk", "email"))
    rows = entries.order_by("created_at", "pk").values_list(
        "pk", "created_at", "envelope_id", "kind", "amount", "reverses_id", "reason", "created_by_id"
    )
    for pk, created_at, envelope_id, kind, amount, reverses_id, reason, author in rows.iterator(EXPORT_CHUNK):
        yield (
            pk,
            created_at,
            *envelopes[envelope_id],
            kinds[kind],
            amount,
            reverses_id,
            reason,
            emails.get(author, ""),
        )


def _export(request: HttpRequest, kind: str) -> HttpResponseBase:
    form, _entries = _ledger(request)
    if form.errors:
        return HttpResponseBadRequest("Filtres invalides : corrigez-les sur la page des écritures.")
    return exported(request, "web.views.finance.ledger_listing", kind)


def ledger_listing(user: Any, query: QueryDict) -> Listing:
    """The ledger entries the user sees, with the page's filters: streamed, or written by a task."""
    _form, entries = _ledger(request_for(user, query))
    name = f"ecritures-{timezone.localdate():%Y-%m-%d}"
    return Listing(name, "Écritures", EXPORT_HEADER, _export_rows(entries), entries.count())


@_require(can_see_budget)
def ledger_csv(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "csv")


@_require(can_see_budget)
def ledger_xlsx(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "xlsx")

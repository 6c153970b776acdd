"""Account requests: the public form (from the how-to pages) and the préfecture's list where its
agents accept (an invitation is e-mailed) or refuse with a reason (`public.account_requests`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from public import account_requests
from public.models import AccountRequestState
from web.forms.public import AccountRequestForm, RefusalForm

PAGE_SIZE = 50


@login_not_required
@require_http_methods(["GET", "POST"])
def account_request(request: HttpRequest) -> HttpResponse:
    form = AccountRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account_requests.submit(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            authority=data["authority"],
            function=data["function"],
        )
        return render(request, "web/public/account_request_sent.html", {"authority": data["authority"]})
    status = 400 if form.errors else 200
    return render(request, "web/public/account_request.html", {"form": form}, status=status)


def account_request_list(request: HttpRequest) -> HttpResponse:
    if not account_requests.reviews_any(request.user):
        raise Http404
    requests = account_requests.requests_for(request.user)
    pending = requests.filter(state=AccountRequestState.PENDING).order_by("created_at", "pk")
    reviewed = Paginator(requests.exclude(state=AccountRequestState.PENDING), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"pending": pending, "page": reviewed, "refusal_form": RefusalForm()}
    return render(request, "web/accounts/account_requests.html", context)


@require_POST
def account_request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    found = get_object_or_404(account_requests.requests_for(request.user), pk=pk)
    try:
        if decision == "accepter":
            account_requests.accept(actor=request.user, request=found)  # type: ignore[arg-type]
            messages.success(request, f"Demande acceptée : une invitation est envoyée à {found.email}.")
        elif decision == "refuser":
            form = RefusalForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Donnez le motif du refus : il est envoyé à la personne.")
                return redirect("web:account_request_list")
            account_requests.refuse(actor=request.user, request=found, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
            messages.success(request, f"Demande refusée : {found.email} en reçoit le motif par courriel.")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("web:account_request_list")

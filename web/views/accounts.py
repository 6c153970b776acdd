"""Pages to manage users, their roles, and invitations (administrators; préfets invite)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.enums import Role
from accounts.models import Invitation, Membership, User
from audit.models import Event
from web.forms.accounts import AcceptInvitationForm, InvitationForm, ScopeForm, UserFilterForm

PAGE_SIZE = 50


def _require(check: Callable[[Any], bool]) -> Callable[..., Any]:
    """Pages for some roles only: others get 404, as for any object outside their scope."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships", queryset=Membership.objects.select_related("authority", "department", "region", "operator")
    )


@_require(services.can_manage_users)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    users = User.objects.order_by("last_name", "first_name", "email")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            users = users.filter(
                Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
            )
        if role := form.cleaned_data["role"]:
            users = users.filter(memberships__role=role).distinct()
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    # Page first, then fetch the memberships of the users shown only.
    shown = list(
        User.objects.filter(pk__in=[u.pk for u in page])
        .prefetch_related(_memberships_prefetch())
        .order_by("last_name", "first_name", "email")
    )
    return render(request, "web/accounts/user_list.html", {"form": form, "page": page, "users": shown})


@_require(services.can_manage_users)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = ScopeForm(request.POST or None, prefix="membership")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_membership(
                actor=request.user,  # type: ignore[arg-type]
                user=person,
                role=form.cleaned_data["role"],
                **form.scope_kwargs(actor=request.user),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Le rôle a été attribué.")
            return redirect("web:user_detail", pk=person.pk)
    context = {
        "person": person,
        "memberships": person.memberships.select_related("authority", "department", "region", "operator").order_by(
            "role"
        ),
        "form": form,
        "events": Event.objects.for_target(person).timeline()[:50],
    }
    return render(request, "web/accounts/user_detail.html", context, status=400 if form.errors else 200)


@require_POST
@_require(services.can_manage_users)
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    services.remove_membership(actor=request.user, membership=membership)  # type: ignore[arg-type]
    messages.success(request, "Le rôle a été retiré.")
    return redirect("web:user_detail", pk=membership.user.pk)


@require_POST
@_require(services.can_manage_users)
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_user_active(actor=request.user, user=person, active=active)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Le compte a été réactivé." if active else "Le compte a été désactivé.")
    return redirect("web:user_detail", pk=person.pk)


def _delegable(user: User) -> Any:
    """The instructeurs' roles whose signing delegation `user` may give: those of the préfet's
    départements (or of his région's); every one for an administrator."""
    memberships = Membership.objects.filter(role=Role.INSTRUCTOR, department__isnull=False, user__is_active=True)
    if not user.has_role(Role.ADMIN):
        prefect_of = [m for m in user.active_memberships if m.role == Role.PREFECT]
        memberships = memberships.filter(
            Q(department_id__in=[m.department_id for m in prefect_of if m.department_id])
            | Q(department__region_id__in=[m.region_id for m in prefect_of if m.region_id])
        )
    return memberships.select_related("user", "department").order_by("department__code", "user__last_name", "pk")


def can_delegate_signature(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.PREFECT, Role.ADMIN))


@_require(can_delegate_signature)
def signing_delegations(request: HttpRequest) -> HttpResponse:
    """The préfet gives (or takes back) his délégation de signature to agents of the préfecture:
    they then commit and pay the credits delegated to the département, as he does."""
    actor: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        role = request.POST.get("role", "")
        if not (role.isascii() and role.isdigit()) or int(role) >= 2**63:  # a hand-made request: no such role
            raise Http404("Rôle introuvable.")
        membership = get_object_or_404(_delegable(actor), pk=int(role))
        granted = request.POST.get("delegation") == "1"
        try:
            services.set_signing_delegation(actor=actor, membership=membership, granted=granted)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            who = membership.user
            messages.success(
                request,
                f"{who} a maintenant votre délégation de signature pour {membership.department}."
                if granted
                else f"{who} n'a plus votre délégation de signature pour {membership.department}.",
            )
        return redirect("web:signing_delegations")
    return render(request, "web/accounts/signing_delegations.html", {"memberships": _delegable(actor)})


def _invitations_for(user: User) -> Any:
    invitations = Invitation.objects.select_related("authority", "department", "region", "operator", "invited_by")
    if services.can_manage_users(user):
        return invitations
    return invitations.filter(invited_by=user)


@_require(services.can_invite)
def invitation_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_invitations_for(request.user).order_by("-created_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )  # type: ignore[arg-type]
    return render(request, "web/accounts/invitation_list.html", {"page": page})


@_require(services.can_invite)
def invitation_create(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = InvitationForm.for_actor(actor, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invite(
                actor=actor,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=form.cleaned_data["role"],
                **form.scope_kwargs(actor=actor),
            )
        except PermissionDenied:
            form.add_error(None, "Vous ne pouvez pas inviter quelqu'un à ce rôle sur ce périmètre.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("web:invitation_list")
    return render(request, "web/accounts/invitation_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@_require(services.can_invite)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(_invitations_for(request.user), pk=pk)  # type: ignore[arg-type]
    try:
        services.revoke_invitation(actor=request.user, invitation=invitation)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("web:invitation_list")


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None:
        raise Http404("Invitation inconnue.")
    if not invitation.is_usable:
        return render(request, "web/accounts/invitation_unusable.html", {"invitation": invitation}, status=410)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = AcceptInvitationForm(
        request.POST or None,
        email=invitation.email,
        initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Bienvenue ! Votre compte est prêt.")
            return redirect("web:dashboard")
    context = {"invitation": invitation, "form": form, "existing": existing is not None}
    return render(request, "web/accounts/invitation_accept.html", context, status=400 if form.errors else 200)

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.enums import Role
from accounts.models import Invitation, User


def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page after log-in: one section per role the user holds."""
    user = request.user
    assert isinstance(user, User)
    context: dict[str, object] = {"memberships": user.active_memberships}
    if user.has_role(Role.ADMIN):
        context["admin_counts"] = {
            "users": User.objects.filter(is_active=True).count(),
            "pending_invitations": Invitation.objects.pending().count(),
        }
    return render(request, "web/dashboard.html", context)

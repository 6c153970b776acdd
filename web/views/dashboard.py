from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.enums import Role
from accounts.models import Invitation, User
from reporting.models import Report


def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page after log-in: one section per role the user holds."""
    user = request.user
    assert isinstance(user, User)
    context: dict[str, object] = {"memberships": user.active_memberships}
    late = Report.objects.for_user(user).late().select_related("authority").order_by("due_on", "pk")
    context["late_reports"] = list(late[:10])
    context["late_report_count"] = late.count() if context["late_reports"] else 0
    if user.has_role(Role.ADMIN):
        context["admin_counts"] = {
            "users": User.objects.filter(is_active=True).count(),
            "pending_invitations": Invitation.objects.pending().count(),
        }
    return render(request, "web/dashboard.html", context)

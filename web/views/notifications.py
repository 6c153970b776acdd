"""« Notifications »: what the platform told the user (unread first), and how they want to be told
(an e-mail each time, or a daily digest), per kind."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from messaging.models import Notification
from messaging.notifications import mark_read
from web.forms.notifications import NotificationSettingsForm

PAGE_SIZE = 30


def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/notifications/list.html", {"page_obj": page})


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its page."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(request.user, notification.pk)
    safe = url_has_allowed_host_and_scheme(notification.path, allowed_hosts={request.get_host()})
    return redirect(notification.path if notification.path and safe else "web:notification_list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(request.user)
    plural = "s" if count > 1 else ""
    messages.success(request, f"{count} notification{plural} marquée{plural} comme lue{plural}.")
    return redirect("web:notification_list")


def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos réglages de notifications sont enregistrés.")
        return redirect("web:notification_settings")
    return render(request, "web/notifications/settings.html", {"form": form})

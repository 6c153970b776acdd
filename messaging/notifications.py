"""Telling people what happened and what is expected of them, on the platform and by e-mail.

`notify` writes one `Notification` per person (idempotent by `key`: a retried task tells nobody
twice) and, for those who chose immediate e-mails for that kind (the default), sends the e-mail once
the transaction commits; the others get it in the daily digest (`send_digests`, a scheduled task).
Every e-mail names the file, says what happened and what is expected, and links to the page with an
absolute address (`settings.SITE_URL`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from messaging.models import Delivery, Notification, NotificationKind, NotificationSetting

SUBJECT_PREFIX = "[Territoires d'intégration] "


def absolute(path: str) -> str:
    """The address of a page of the platform, as an e-mail gives it."""
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""


def deliveries(users: Iterable[User], kind: str) -> dict[int, str]:
    """Each user's choice for `kind` (immediate when none was recorded)."""
    ids = [user.pk for user in users]
    chosen = dict(NotificationSetting.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {pk: chosen.get(pk, Delivery.IMMEDIATE) for pk in ids}


def notify(
    users: Iterable[User],
    *,
    kind: str = NotificationKind.STEP,
    key: str,
    subject: str,
    lines: Sequence[str],
    path: str = "",
    expected: str = "",
) -> list[Notification]:
    """Tell `users` (inactive ones and those without an e-mail left out) about one event.

    `lines`: what happened; `expected`: what the reader is expected to do (« Ce qui est attendu de
    vous »); `path`: the page the e-mail links to. Returns the notifications written now (none for
    a person already told under `key`)."""
    people = {user.pk: user for user in users if user.is_active and user.email}
    if not people:
        return []
    body = "\n".join([*lines, *([f"Ce qui est attendu de vous : {expected}"] if expected else [])])
    created = []
    for user in people.values():
        notification, is_new = Notification.objects.get_or_create(
            recipient=user, key=key[:120], defaults={"kind": kind, "subject": subject[:250], "body": body, "path": path}
        )
        if is_new:
            created.append(notification)
    if created:
        User.objects.filter(pk__in=[n.recipient_id for n in created]).update(
            unread_notifications=F("unread_notifications") + 1
        )
    choice = deliveries(people.values(), kind)
    for notification in created:
        if choice[notification.recipient_id] == Delivery.IMMEDIATE:
            transaction.on_commit(partial(_send_one, notification.pk), robust=True)
    return created


def _send_one(notification_id: int) -> None:
    """E-mail one notification, once (a second call finds it sent)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return
        user = notification.recipient
        text = render_to_string(
            "messaging/email/notification.txt",
            {
                "user": user,
                "notification": notification,
                "url": absolute(notification.path),
                "settings_url": absolute(reverse("web:notification_settings")),
            },
        )
        send_mail(SUBJECT_PREFIX + notification.subject, text, None, [user.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])


@task
def send_digests() -> int:
    """The daily digest: one e-mail per person who chose it, listing what was not e-mailed yet.
    Idempotent: what a digest lists is marked sent with it. Returns the number of e-mails sent."""
    waiting: dict[int, list[Notification]] = defaultdict(list)
    for notification in Notification.objects.filter(emailed_at__isnull=True).select_related("recipient"):
        waiting[notification.recipient_id].append(notification)
    sent = 0
    for items in waiting.values():
        user = items[0].recipient
        if not user.is_active or not user.email:
            continue
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(pk__in=[n.pk for n in items], emailed_at__isnull=True)
                .order_by("created_at", "pk")
            )
            if not pending:
                continue
            text = render_to_string(
                "messaging/email/digest.txt",
                {
                    "user": user,
                    "items": [(n, absolute(n.path)) for n in pending],
                    "settings_url": absolute(reverse("web:notification_settings")),
                },
            )
            count = len(pending)
            subject = f"{SUBJECT_PREFIX}Votre résumé du jour : {count} notification{'s' if count > 1 else ''}"
            send_mail(subject, text, None, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification of `user` read (or all, `notification_id` None); keeps the count the
    header shows. Returns how many were unread."""
    unread = Notification.objects.filter(recipient=user).unread()
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    with transaction.atomic():
        count = unread.update(read_at=timezone.now())
        if count:
            User.objects.filter(pk=user.pk).update(
                unread_notifications=Greatest(F("unread_notifications") - count, Value(0))
            )
    return count

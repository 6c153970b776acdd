"""Post a message (or an internal note) on any object, with attachments and e-mail notifications.

The target object may tell who is told of a new message by implementing `MessageTarget`:

    class Project(models.Model):
        def notification_recipients(self, internal: bool) -> list[User]:
            # public message: the applicants and the instructeurs; internal note: the State agents
            ...

A target that does not implement it notifies nobody. For an internal note, whatever the target
returns, only State agents are written to. The author is never notified of their own message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Protocol

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string

from accounts.models import User
from audit.services import record_event
from documents.access import is_state_agent
from documents.services import attach
from documents.uploads import inspect_upload
from messaging.models import Message, Thread

DEFAULT_MAX_LENGTH = 5000


class MessageTarget(Protocol):
    """What a target may implement to have its participants told of new messages."""

    def notification_recipients(self, internal: bool) -> Iterable[User]: ...


def max_length() -> int:
    return int(getattr(settings, "MESSAGE_MAX_LENGTH", DEFAULT_MAX_LENGTH))


def _recipients(*, target: models.Model, author: User, internal: bool) -> list[User]:
    # Looked up by name (not isinstance on the Protocol, whose answer Python caches per class).
    get_recipients = getattr(target, "notification_recipients", None)
    if not callable(get_recipients):
        return []
    seen: set[int] = set()
    people = []
    for user in get_recipients(internal=internal):
        if user.pk == author.pk or user.pk in seen or not user.is_active or not user.email:
            continue
        if internal and not is_state_agent(user):
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _target_url(target: models.Model) -> str:
    get_url = getattr(target, "get_absolute_url", None)
    if not callable(get_url):
        return ""
    return f"{settings.SITE_URL.rstrip('/')}{get_url()}"


def _notify(*, message: Message, target: models.Model, recipients: Sequence[User], attachment_count: int) -> None:
    """One e-mail per person (addresses are not shown to each other), sent once the transaction commits.

    The e-mail says who wrote on what and links to the page; it does not carry the message itself
    (it may hold personal data, and the page checks who may read it).
    """
    if not recipients:
        return
    context = {
        "author": str(message.author),
        "target": str(target),
        "internal": message.is_internal,
        "url": _target_url(target),
        "attachment_count": attachment_count,
    }
    kind = "Nouvelle note interne" if message.is_internal else "Nouveau message"
    subject = f"{kind} sur « {target} »"
    body = render_to_string("messaging/email/new_message.txt", context)
    # robust: a mail server failure is logged, does not stop the other e-mails and does not turn a
    # committed request into an error page.
    for address in [user.email for user in recipients]:
        transaction.on_commit(partial(send_mail, subject, body, None, [address]), robust=True)


def post_message(
    *,
    author: User,
    target: models.Model,
    body: str,
    is_internal: bool = False,
    files: Sequence[File[bytes]] = (),
) -> Message:
    """Write a message on `target`'s thread (created on the first message) with its attachments.

    Who may write on `target` is the caller's decision (fetch the target through its scoped
    queryset first); an internal note needs a State agent. Raises ValidationError (French) on an
    empty or too long body or a refused file, and then stores nothing.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError("Le message est vide.", code="message_empty")
    limit = max_length()
    if len(body) > limit:
        raise ValidationError(
            f"Le message est trop long : {len(body)} caractères pour {limit} au plus.", code="message_too_long"
        )
    if is_internal and not is_state_agent(author):
        raise PermissionDenied("Seuls les agents de l'État peuvent écrire une note interne.")
    if target.pk is None:
        raise ValueError("Save the target before writing on its thread.")
    # Every file is checked before anything is written: one refused file refuses the message.
    checked = [(uploaded, inspect_upload(uploaded)) for uploaded in files]

    with transaction.atomic():
        thread, _ = Thread.objects.get_or_create(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        message = Message.objects.create(thread=thread, author=author, body=body, is_internal=is_internal)
        for uploaded, inspected in checked:
            attach(
                actor=author,
                target=message,
                uploaded_file=uploaded,
                kind="attachment",
                is_internal=is_internal,
                inspected=inspected,
            )
        record_event(
            actor=author,
            verb="messaging.internal_note_posted" if is_internal else "messaging.message_posted",
            target=target,
            details={"message": message.pk, "pièces jointes": len(checked), "interne": is_internal},
        )
        recipients = _recipients(target=target, author=author, internal=is_internal)
        _notify(message=message, target=target, recipients=recipients, attachment_count=len(checked))
    return message

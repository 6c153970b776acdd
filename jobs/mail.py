"""The outbox mailer: `send_mail()` anywhere writes the e-mail to `OutgoingEmail` and enqueues its
delivery; nothing in a request or a transition talks to the SMTP server.

Settings (config/settings/base.py):

    MAILERS = {
        "default": {"BACKEND": "jobs.mail.OutboxEmailBackend"},   # what send_mail() uses
        "delivery": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", ...},  # the real one
    }

Idempotence: inside a task, each e-mail's key is derived from the task (its path and arguments,
set by `jobs.signals` when the task starts) and from the e-mail itself (recipients, subject,
body). A task run again (retried after a failure, or after its worker was killed) computes the
same keys and writes nothing new: the e-mail goes once. Outside a task (a message posted on a
page) each e-mail is new. A job whose e-mails legitimately repeat with the same arguments (a
periodic digest) names its own scope: `with email_scope(f"digest:{day}"): ...`.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("jobs_email_scope", default=None)


@contextmanager
def email_scope(name: str) -> Iterator[None]:
    """E-mails written inside get keys derived from `name`: written twice, they are sent once."""
    token = _scope.set(name)
    try:
        yield
    finally:
        _scope.reset(token)


def current_scope() -> str | None:
    return _scope.get()


def set_scope(name: str | None) -> contextvars.Token[str | None]:
    return _scope.set(name)


def reset_scope(token: contextvars.Token[str | None]) -> None:
    _scope.reset(token)


def email_key(message: EmailMessage, scope: str | None) -> str:
    if scope is None:
        return uuid.uuid4().hex
    payload = json.dumps(
        [scope, sorted(message.to), sorted(message.cc), sorted(message.bcc), str(message.subject), str(message.body)],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message to the outbox (once per key) and enqueues its delivery after the commit."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from jobs.models import OutgoingEmail
        from jobs.tasks import deliver_email

        written = 0
        scope = current_scope()
        for message in email_messages:
            if not message.recipients():
                continue
            if message.attachments:
                raise ValueError("The outbox does not carry attachments: link to the document's page instead.")
            alternatives = [
                [_text(content), mimetype] for content, mimetype in getattr(message, "alternatives", []) or []
            ]
            email, created = OutgoingEmail.objects.get_or_create(
                key=email_key(message, scope),
                defaults={
                    "subject": str(message.subject)[:998],
                    "from_email": str(message.from_email),
                    "to": list(message.to),
                    "cc": list(message.cc),
                    "bcc": list(message.bcc),
                    "reply_to": list(message.reply_to),
                    "body": str(message.body),
                    "alternatives": alternatives,
                },
            )
            if created:
                transaction.on_commit(partial(deliver_email.enqueue, email.pk))
            written += 1
        return written


def build_message(email: Any) -> EmailMultiAlternatives:
    """The message to hand to the delivery mailer, rebuilt from an `OutgoingEmail` row."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers={"Message-ID": f"<{email.key}@territoires-integration>"},
    )
    for content, mimetype in email.alternatives:
        message.attach_alternative(content, mimetype)
    return message

"""E-mails leave through the outbox: written once, delivered by a task, retried with backoff when the
mail server refuses, listed for an administrator when they keep failing."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone

from jobs.admin import resend_emails
from jobs.mail import email_scope
from jobs.models import EmailStatus, OutgoingEmail
from jobs.tasks import backoff, deliver_email, flush_outbox

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def closed_port() -> int:
    """A local port nobody listens on: the SMTP server « is down »."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def outbox_mailers(settings):
    settings.MAILERS = {"default": {"BACKEND": "jobs.mail.OutboxEmailBackend"}, "delivery": {"BACKEND": LOCMEM}}
    return settings


@pytest.fixture
def smtp_down(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "jobs.mail.OutboxEmailBackend"},
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        },
    }
    return settings


def test_an_email_is_written_to_the_outbox_then_delivered_by_its_task(
    outbox_mailers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Objet", "Bonjour.", None, ["agent@example.fr"])
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.to) == (EmailStatus.SENT, 1, ["agent@example.fr"])
    assert [m.subject for m in mail.outbox] == ["Objet"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{email.key}@territoires-integration>"


def test_the_same_email_written_twice_by_one_task_leaves_once(outbox_mailers, django_capture_on_commit_callbacks):
    """A task run again (after a failure, or after its worker was killed) writes its e-mails again:
    they carry the same key and are not sent a second time."""
    for _run in range(2):
        with (
            email_scope("projects.tasks.after_transition:[[42], {}]"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            send_mail("PTAI-2021-38-0001 : engagé", "Bonjour.", None, ["agent@example.fr"])
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_outside_a_task_two_identical_messages_are_two_emails(outbox_mailers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Nouveau message", "Bonjour.", None, ["agent@example.fr"])
        send_mail("Nouveau message", "Bonjour.", None, ["agent@example.fr"])
    assert OutgoingEmail.objects.count() == 2
    assert len(mail.outbox) == 2


def test_when_smtp_is_down_the_email_waits_with_its_error_then_goes_when_smtp_is_back(
    smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_mail("Objet", "Bonjour.", None, ["agent@example.fr"]) == 1  # never raises
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at > timezone.now() + backoff(1) - timedelta(seconds=10)
    assert flush_outbox.call() == 0  # not due yet

    smtp_down.MAILERS = {"default": {"BACKEND": "jobs.mail.OutboxEmailBackend"}, "delivery": {"BACKEND": LOCMEM}}
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert flush_outbox.call() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 10)] == [60, 120, 240, 480, 3600]


def test_after_its_last_attempt_an_email_is_failed_and_an_administrator_sends_it_again(
    smtp_down, django_capture_on_commit_callbacks
):
    smtp_down.EMAIL_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Objet", "Bonjour.", None, ["agent@example.fr"])
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    assert deliver_email.call(OutgoingEmail.objects.get().pk) == "failed"
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.FAILED, 2, None)

    smtp_down.MAILERS = {"default": {"BACKEND": "jobs.mail.OutboxEmailBackend"}, "delivery": {"BACKEND": LOCMEM}}
    assert resend_emails(OutgoingEmail.objects.all()) == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_sent_email_is_not_sent_again_by_a_second_delivery(outbox_mailers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Objet", "Bonjour.", None, ["agent@example.fr"])
    assert deliver_email.call(OutgoingEmail.objects.get().pk) == "sent"
    assert len(mail.outbox) == 1


def test_the_administrator_sees_failed_emails_with_their_error(outbox_mailers, admin_client):
    OutgoingEmail.objects.create(
        key="k1",
        subject="Relance",
        from_email="x@y.fr",
        to=["agent@example.fr"],
        body="…",
        status=EmailStatus.FAILED,
        attempts=10,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    response = admin_client.get("/django-admin/jobs/outgoingemail/?status__exact=failed")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Relance" in page
    assert "SMTPServerDisconnected" in page
    assert "Renvoyer les e-mails sélectionnés" in page

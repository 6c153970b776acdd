"""Issue 15, RGPD: what the platform keeps, how long, and the purge of what has expired.

`manage.py purge_expired` counts without changing anything; `--apply` purges; the nightly job
(`jobs.tasks.purge_expired`) applies. The money trail (ledger, transition logs, finance.* events)
stays whatever its age.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import Event
from audit.services import record_event
from documents.models import Document
from documents.services import attach
from jobs.tasks import purge_expired
from messaging.models import Notification
from projects.models import ProjectTransition
from tests.factories import MembershipFactory, UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LONG_AGO = timezone.now() - timedelta(days=11 * 365)
RECENTLY = timezone.now() - timedelta(days=30)


def test_the_personal_data_page_says_what_why_how_long_and_whom_to_ask_and_is_in_the_footer(settings):
    settings.RETENTION_CLOSED_FILES_YEARS = 7
    visitor = Client()
    page = visitor.get("/donnees-personnelles/")
    assert page.status_code == 200
    text = page.content.decode()
    for heading in ("Quelles données, et pourquoi", "Combien de temps", "Vos droits, et à qui vous adresser"):
        assert heading in text
    assert "supprimées 7 ans après la clôture du dossier" in text  # the durations are the settings
    assert settings.PERSONAL_DATA_CONTACT_EMAIL in text and "CNIL" in text
    assert 'href="/donnees-personnelles/"' in visitor.get("/").content.decode()


def _old(model_rows, field: str, when) -> None:
    model_rows.update(**{field: when})


@pytest.fixture
def expired_and_kept(db):
    """One row of each kind past its retention, and its twin still within it."""
    actor = MembershipFactory(instructor_isere=True).user
    rows = {}
    for age, label in ((LONG_AGO, "old"), (RECENTLY, "new")):
        project = ProjectFactory(closed=True)
        transition = ProjectTransition.objects.create(
            project=project, transition="close", source="funded", target="closed", actor=actor
        )
        _old(ProjectTransition.objects.filter(pk=transition.pk), "created_at", age)
        document = attach(actor=actor, target=project, uploaded_file=ContentFile(PDF, name="pv.pdf"), kind="piece")
        notification = Notification.objects.create(recipient=actor, kind="step", key=label, subject="s", body="b")
        _old(Notification.objects.filter(pk=notification.pk), "created_at", age)
        event = record_event(actor=actor, verb="projects.updated", target=project)
        money = record_event(actor=actor, verb="finance.committed", target=project)
        _old(Event.objects.filter(pk__in=[event.pk, money.pk]), "created_at", age)
        log = AccessLog.objects.create(username="x@example.fr", ip_address="127.0.0.1", user_agent="essai")
        _old(AccessLog.objects.filter(pk=log.pk), "attempt_time", age)
        sleeper = UserFactory(first_name="Jeanne", last_name="Dormeuse")
        _old(User.objects.filter(pk=sleeper.pk), "last_login", age)
        rows[label] = {
            "document": document,
            "transition": transition,
            "notification": notification,
            "event": event,
            "money": money,
            "log": log,
            "sleeper": sleeper,
        }
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
    return rows


def test_purge_expired_is_a_dry_run_by_default(expired_and_kept):
    before = {model: model.objects.count() for model in (Document, Notification, Event, AccessLog, Session)}
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "simulation, rien n'est supprimé" in out.getvalue()
    assert "pièces jointes de dossiers clos : 1" in out.getvalue()
    assert "comptes inactifs à anonymiser : 1" in out.getvalue()
    assert {model: model.objects.count() for model in before} == before
    assert User.objects.get(pk=expired_and_kept["old"]["sleeper"].pk).is_active


def test_purge_expired_apply_purges_what_expired_and_keeps_the_money_trail(expired_and_kept):
    old, new = expired_and_kept["old"], expired_and_kept["new"]
    out = StringIO()
    call_command("purge_expired", "--apply", stdout=out)
    assert "purgés" in out.getvalue()

    assert not Document.objects.filter(pk=old["document"].pk).exists()
    assert not old["document"].file.storage.exists(old["document"].file.name)  # the file too
    assert not Notification.objects.filter(pk=old["notification"].pk).exists()
    assert not Event.objects.filter(pk=old["event"].pk).exists()
    assert not AccessLog.objects.filter(pk=old["log"].pk).exists()
    assert not Session.objects.filter(session_key="a" * 32).exists()
    sleeper = User.objects.get(pk=old["sleeper"].pk)
    assert (sleeper.is_active, sleeper.first_name, sleeper.has_usable_password()) == (False, "", False)
    assert sleeper.email.endswith("@anonyme.invalid")

    # The money trail stays, whatever its age; what is within its retention stays.
    assert ProjectTransition.objects.filter(pk=old["transition"].pk).exists()
    assert Event.objects.filter(pk=old["money"].pk).exists()
    for kind in ("document", "notification", "event", "log"):
        assert type(new[kind]).objects.filter(pk=new[kind].pk).exists(), kind
    assert User.objects.get(pk=new["sleeper"].pk).is_active
    assert Event.objects.filter(verb="rgpd.purged").count() == 1


def test_an_account_idle_past_the_deactivation_delay_is_deactivated_not_anonymised(db, settings):
    idle = UserFactory(first_name="Paul")
    User.objects.filter(pk=idle.pk).update(last_login=timezone.now() - timedelta(days=400))
    call_command("purge_expired", "--apply", stdout=StringIO())
    idle.refresh_from_db()
    assert (idle.is_active, idle.first_name) == (False, "Paul")


def test_the_nightly_job_purges(expired_and_kept):
    result = purge_expired.call()
    assert result["notifications"] == 1
    assert not Notification.objects.filter(pk=expired_and_kept["old"]["notification"].pk).exists()

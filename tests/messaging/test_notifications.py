"""Issue 10, « Notifications »: each transition tells the next actor on the platform and by e-mail,
with a link that opens the page for that person; a « Notifications » page with its unread count;
per kind, immediate e-mails or a daily digest."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from messaging.models import Delivery, Notification, NotificationKind, NotificationSetting
from messaging.notifications import notify, send_digests
from projects.services import apply_transition
from tests.mail import links, recipients
from tests.projects.conftest import make_persona
from tests.projects.factories import ProjectFactory
from tests.web.personas import PersonaClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {name: make_persona(name) for name in ("agent_lead", "instructor_isere", "prefect_isere")}


def submit(project: Any, people: dict[str, Any], capture: Any) -> Any:
    with capture(execute=True):
        return apply_transition(project=project, name="submit", user=people["agent_lead"])


def test_a_submission_tells_the_instructeur_who_opens_the_file_from_the_link(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    project = ProjectFactory(created_by=people["agent_lead"])
    submit(project, people, django_capture_on_commit_callbacks)
    instructor = people["instructor_isere"]
    assert recipients(mailoutbox) == {instructor.email}  # the next actor, not the one who acted
    (mail,) = mailoutbox
    assert project.title in mail.body and "PTAI déposé" in mail.body
    assert "Ce qui est attendu de vous : instruire le dossier" in mail.body
    page = f"http://testserver/ptai/{project.pk}/"
    assert links(mail)[0] == page
    client = PersonaClient(instructor)
    opened = client.get(page.removeprefix("http://testserver"))
    assert opened.status_code == 200 and project.title in opened.text  # the link resolves, for them

    # The same on the platform: the header counts it, the page lists it, opening it marks it read.
    home = client.get(reverse("web:dashboard")).text
    assert "Notifications (1 non lue)" in " ".join(home.split())
    listing = client.get(reverse("web:notification_list")).text
    assert "Non lue" in listing and project.reference in listing
    notification = Notification.objects.get(recipient=instructor)
    response = client.get(reverse("web:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == f"/ptai/{project.pk}/"
    instructor.refresh_from_db()
    assert instructor.unread_notifications == 0
    assert "Notifications (" not in " ".join(client.get(reverse("web:dashboard")).text.split())


def test_a_notification_is_written_once_per_person_and_event(people, mailoutbox, django_capture_on_commit_callbacks):
    """A retried task tells nobody twice (`key`)."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            notify([people["prefect_isere"]], key="ptai-transition:42", subject="Essai", lines=["Une ligne."])
    assert Notification.objects.filter(recipient=people["prefect_isere"]).count() == 1
    assert len(mailoutbox) == 1
    people["prefect_isere"].refresh_from_db()
    assert people["prefect_isere"].unread_notifications == 1


def test_who_chose_the_daily_digest_gets_one_e_mail_listing_each_notification_once(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    instructor = people["instructor_isere"]
    client = PersonaClient(instructor)
    response = client.post(
        reverse("web:notification_settings"),
        {NotificationKind.STEP.value: Delivery.DIGEST, NotificationKind.MESSAGE.value: Delivery.IMMEDIATE},
    )
    assert response.status_code == 302
    assert NotificationSetting.objects.get(user=instructor, kind=NotificationKind.STEP).delivery == Delivery.DIGEST
    first, second = ProjectFactory(created_by=people["agent_lead"]), ProjectFactory(created_by=people["agent_lead"])
    submit(first, people, django_capture_on_commit_callbacks)
    submit(second, people, django_capture_on_commit_callbacks)
    assert mailoutbox == []  # nothing at once
    assert send_digests.call() == 1
    (digest,) = mailoutbox
    assert digest.to == [instructor.email] and "Votre résumé du jour : 2 notifications" in digest.subject
    assert set(links(digest)) >= {f"http://testserver/ptai/{first.pk}/", f"http://testserver/ptai/{second.pk}/"}
    assert send_digests.call() == 0  # already sent
    assert len(mailoutbox) == 1


def test_the_settings_page_is_in_french_and_refuses_an_unknown_choice(people):
    client = PersonaClient(people["agent_lead"])
    page = client.get(reverse("web:notification_settings")).text
    assert "Un résumé quotidien" in page and "Étapes des dossiers" in page
    response = client.post(reverse("web:notification_settings"), {NotificationKind.STEP.value: "jamais"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.text
    assert not NotificationSetting.objects.exists()

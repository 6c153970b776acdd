"""Messages on any object: internal notes for the State only, e-mails after commit to the right people."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.enums import Role
from audit.models import Event
from documents.models import Document
from messaging.models import Message, Thread
from messaging.services import post_message
from referential.models import Authority
from tests.documents import files
from tests.factories import commune, grenoble_metropole, isere, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """The applicants (two agents), the instructeur, and a préfet who is not on this file."""
    return {
        "agent": make_user(Role.AGENT, authority=grenoble_metropole()),
        "colleague": make_user(Role.AGENT, authority=grenoble_metropole()),
        "instructor": make_user(Role.INSTRUCTOR, department=isere()),
        "prefect": make_user(Role.PREFECT, department=isere()),
    }


@pytest.fixture
def target(people, monkeypatch) -> Authority:
    """A real model given the notification protocol, as the PTAI will implement it."""

    def notification_recipients(self, internal: bool):
        # Deliberately returns the applicants for internal notes too: the service must filter them.
        return [people["agent"], people["colleague"], people["instructor"]]

    monkeypatch.setattr(Authority, "notification_recipients", notification_recipients, raising=False)
    monkeypatch.setattr(Authority, "get_absolute_url", lambda self: f"/collectivites/{self.pk}/", raising=False)
    return commune("38185")


def test_a_message_is_mailed_to_the_other_participants_only_after_commit(
    people, target, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://territoires.example.fr/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = post_message(author=people["agent"], target=target, body="  Voici le budget corrigé.  ")
    assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 2  # one e-mail per person
    for callback in callbacks:
        callback()

    assert message.body == "Voici le budget corrigé."
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [people["colleague"].email, people["instructor"].email]
    )
    assert all(len(email.to) == 1 for email in mail.outbox)  # addresses are not shown to each other
    email = mail.outbox[0]
    assert email.subject == f"Nouveau message sur « {target} »"
    assert f"{people['agent']} a écrit un message sur « {target} »" in email.body
    assert f"https://territoires.example.fr/collectivites/{target.pk}/" in email.body
    assert "Voici le budget" not in email.body  # the content stays behind the log-in


def test_a_rolled_back_message_sends_nothing(people, target, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (  # noqa: PT012
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        post_message(author=people["agent"], target=target, body="Bonjour")
        raise RuntimeError("the request failed")
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_internal_note_is_mailed_to_state_agents_only(people, target, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_message(author=people["prefect"], target=target, body="Avis réservé sur le budget.", is_internal=True)
    assert [email.to for email in mail.outbox] == [[people["instructor"].email]]
    assert mail.outbox[0].subject.startswith("Nouvelle note interne sur « ")
    assert "note interne (visible des seuls agents de l'État)" in mail.outbox[0].body


def test_an_agent_cannot_write_an_internal_note(people, target):
    with pytest.raises(PermissionDenied, match="Seuls les agents de l'État"):
        post_message(author=people["agent"], target=target, body="Secret", is_internal=True)
    assert not Message.objects.exists()


def test_internal_notes_are_hidden_from_the_agent(people, target):
    public = post_message(author=people["agent"], target=target, body="Question sur le dossier")
    note = post_message(author=people["instructor"], target=target, body="À vérifier", is_internal=True)
    answer = post_message(author=people["instructor"], target=target, body="Réponse à la question")

    messages = Message.objects.for_target(target)
    assert list(messages.visible_to(people["agent"])) == [public, answer]
    assert list(messages.visible_to(people["instructor"])) == [public, note, answer]
    assert list(messages.visible_to(people["prefect"])) == [public, note, answer]
    from django.contrib.auth.models import AnonymousUser

    assert not messages.visible_to(AnonymousUser()).exists()


def test_one_thread_per_target_and_any_model_as_target(people, target):
    first = post_message(author=people["agent"], target=target, body="Un")
    second = post_message(author=people["instructor"], target=target, body="Deux")
    on_user = post_message(author=people["instructor"], target=people["agent"], body="Sur un compte")

    assert first.thread == second.thread
    assert on_user.thread != first.thread
    assert Thread.objects.count() == 2
    assert Thread.objects.for_target(people["agent"]).get().target == people["agent"]
    assert list(Message.objects.for_target(people["agent"])) == [on_user]


def test_a_target_without_the_protocol_notifies_nobody(people, django_capture_on_commit_callbacks):
    other = commune("63113")  # the fixture `target` is not used: Authority has no protocol here
    with django_capture_on_commit_callbacks(execute=True):
        post_message(author=people["agent"], target=other, body="Bonjour")
    assert mail.outbox == []
    assert Message.objects.for_target(other).count() == 1


def test_a_target_without_a_page_gets_a_mail_without_link(people, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(
        Authority, "notification_recipients", lambda self, internal: [people["instructor"]], raising=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_message(author=people["agent"], target=commune("63113"), body="Bonjour")
    assert "Connectez-vous à Territoires d'intégration pour le lire" in mail.outbox[0].body
    assert "http" not in mail.outbox[0].body


def test_posting_records_an_audit_event_on_the_target(people, target):
    message = post_message(author=people["agent"], target=target, body="Bonjour")
    note = post_message(author=people["instructor"], target=target, body="Note", is_internal=True)
    events = list(Event.objects.for_target(target).order_by("pk"))
    assert [(e.verb, e.label, e.actor) for e in events] == [
        ("messaging.message_posted", "Message envoyé", people["agent"]),
        ("messaging.internal_note_posted", "Note interne ajoutée", people["instructor"]),
    ]
    assert events[0].details == {"message": message.pk, "pièces jointes": 0, "interne": False}
    assert events[1].details["message"] == note.pk


@pytest.mark.parametrize(("body", "error"), [("", "Le message est vide."), ("   \n ", "Le message est vide.")])
def test_empty_body_is_refused(people, target, body, error):
    with pytest.raises(ValidationError) as refused:
        post_message(author=people["agent"], target=target, body=body)
    assert refused.value.messages == [error]


def test_too_long_body_is_refused(people, target, settings):
    settings.MESSAGE_MAX_LENGTH = 10
    post_message(author=people["agent"], target=target, body="x" * 10)
    with pytest.raises(ValidationError) as refused:
        post_message(author=people["agent"], target=target, body="x" * 11)
    assert refused.value.messages == ["Le message est trop long : 11 caractères pour 10 au plus."]


def test_attachments_are_stored_as_documents_of_the_message(people, target, django_capture_on_commit_callbacks):
    pdf = files.pdf_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        message = post_message(
            author=people["agent"],
            target=target,
            body="Le diagnostic et le budget",
            files=[files.upload("diagnostic.pdf", pdf), files.upload("budget.xlsx", files.xlsx_bytes())],
        )
    attachments = list(Document.objects.for_target(message))
    assert [(d.original_name, d.kind, d.is_internal, d.uploaded_by) for d in attachments] == [
        ("diagnostic.pdf", "attachment", False, people["agent"]),
        ("budget.xlsx", "attachment", False, people["agent"]),
    ]
    assert list(message.attachments.all()) == attachments
    assert "avec 2 pièces jointes" in mail.outbox[0].body


def test_attachments_of_an_internal_note_are_internal(people, target):
    note = post_message(
        author=people["instructor"],
        target=target,
        body="Pièce interne",
        is_internal=True,
        files=[files.upload("grille.pdf", files.pdf_bytes())],
    )
    document = Document.objects.for_target(note).get()
    assert document.is_internal
    assert not Document.objects.for_target(note).visible_to(people["agent"]).exists()


def test_one_refused_attachment_refuses_the_whole_message(people, target, django_capture_on_commit_callbacks):
    before = (Message.objects.count(), Thread.objects.count(), Document.objects.count(), Event.objects.count())
    stored = files.stored_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        post_message(
            author=people["agent"],
            target=target,
            body="Deux pièces",
            files=[files.upload("bon.pdf", files.pdf_bytes()), files.upload("virus.pdf", files.exe_bytes())],
        )
    assert refused.value.messages[0].startswith("Ce type de fichier n'est pas accepté")
    after = (Message.objects.count(), Thread.objects.count(), Document.objects.count(), Event.objects.count())
    assert after == before
    assert files.stored_files() == stored
    assert mail.outbox == []


def test_listing_messages_with_attachments_takes_the_same_queries_for_1_or_20(
    people, target, django_assert_num_queries
):
    def post(n: int) -> None:
        for i in range(n):
            post_message(
                author=people["agent"], target=target, body=f"n° {i}", files=[files.upload("a.pdf", files.pdf_bytes())]
            )

    post(1)
    ContentType.objects.get_for_model(Message)  # cached once per process, as in production
    with django_assert_num_queries(2):  # the messages with their authors joined, then all their attachments
        assert len([m.attachments.all() for m in Message.objects.for_target(target).for_display()]) == 1
    post(19)
    with django_assert_num_queries(3):  # the same two, and the reader's roles (once, cached on the user)
        shown = list(Message.objects.for_target(target).visible_to(people["agent"]).for_display())
        assert [len(m.attachments.all()) for m in shown] == [1] * 20
        assert {m.author for m in shown} == {people["agent"]}

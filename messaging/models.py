"""One message thread per object (any model), its messages and internal notes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch

from accounts.models import User
from documents.access import is_state_agent
from documents.models import Document


class ThreadQuerySet(models.QuerySet["Thread"]):
    def for_target(self, target: models.Model) -> ThreadQuerySet:
        content_type = ContentType.objects.get_for_model(target)
        return self.filter(target_type=content_type, target_id=str(target.pk))


class Thread(models.Model):
    """The conversation about one object (a PTAI file, later a CTAI…): at most one per object."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=40)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField("ouvert le", auto_now_add=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = "fil de discussion"
        verbose_name_plural = "fils de discussion"
        constraints = [models.UniqueConstraint(fields=["target_type", "target_id"], name="thread_one_per_target")]

    def __str__(self) -> str:
        return f"Fil {self.target_type_id}:{self.target_id}"


class MessageQuerySet(models.QuerySet["Message"]):
    def for_target(self, target: models.Model) -> MessageQuerySet:
        content_type = ContentType.objects.get_for_model(target)
        return self.filter(thread__target_type=content_type, thread__target_id=str(target.pk))

    def visible_to(self, user: User | AnonymousUser | None) -> MessageQuerySet:
        """Internal notes for State agents only; nothing for an anonymous or inactive user.

        The target's scope is not checked here: fetch the target through its own `for_user(user)`.
        """
        if not isinstance(user, User) or not user.is_active:
            return self.none()
        if is_state_agent(user):
            return self
        return self.filter(is_internal=False)

    def for_display(self) -> MessageQuerySet:
        """Oldest first, with authors and attachments in two more queries whatever the count."""
        return (
            self.select_related("author")
            .prefetch_related(Prefetch("attachments", queryset=Document.objects.order_by("created_at", "pk")))
            .order_by("created_at", "pk")
        )


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    body = models.TextField("message")
    is_internal = models.BooleanField(
        "note interne",
        default=False,
        help_text="Visible des seuls agents de l'État (instruction, préfecture, ministère).",
    )
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)

    # Attachments are Documents whose target is this message.
    attachments = GenericRelation(Document, content_type_field="target_type", object_id_field="target_id")

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "message"
        indexes = [models.Index(fields=["thread", "created_at"], name="message_by_thread")]

    def __str__(self) -> str:
        return f"Message de {self.author} du {self.created_at:%d/%m/%Y %H:%M}"

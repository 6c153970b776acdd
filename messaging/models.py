"""One message thread per object (any model), its messages and internal notes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch

from accounts.models import User
from core.fields import BoundedTextField
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
    body = BoundedTextField("message")
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


class NotificationKind(models.TextChoices):
    """What a notification is about; each user chooses, per kind, immediate e-mails or a daily digest."""

    STEP = "step", "Étapes des dossiers (dépôt, avis, décisions, crédits)"
    MESSAGE = "message", "Messages et notes sur les dossiers"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Un courriel à chaque fois"
    DIGEST = "digest", "Un résumé quotidien"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """What the platform told one person (shown on their « Notifications » page, e-mailed at once or
    in the daily digest). `key` makes telling idempotent: the same event tells the same person once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="destinataire"
    )
    kind = models.CharField("nature", max_length=20, choices=NotificationKind.choices)
    key = models.CharField("clé", max_length=120)
    subject = models.CharField("objet", max_length=250)
    body = BoundedTextField("texte")
    path = models.CharField("page", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("créée le", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par courriel le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.subject


class NotificationSetting(models.Model):
    """A person's choice for one kind of notification (none recorded: immediate e-mails)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("nature", max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField("envoi", max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        verbose_name = "réglage des notifications"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_once")]

    def __str__(self) -> str:
        return f"{self.user} : {self.get_kind_display()} — {self.get_delivery_display()}"

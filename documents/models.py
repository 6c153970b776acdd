"""A document: a file kept in Django's default storage and attached to any object."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts.models import User
from documents.access import is_state_agent


def document_path(instance: Document, filename: str) -> str:
    """`documents/<yyyy>/<mm>/<uuid>`: the user's file name never reaches the disk."""
    now = timezone.now()
    return f"documents/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def for_target(self, target: models.Model) -> DocumentQuerySet:
        content_type = ContentType.objects.get_for_model(target)
        return self.filter(target_type=content_type, target_id=str(target.pk))

    def visible_to(self, user: User | AnonymousUser | None) -> DocumentQuerySet:
        """Internal documents for State agents only; nothing for an anonymous or inactive user.

        This does not check the target's scope: fetch the target through its own `for_user(user)`
        first, then list its documents with `for_target(target).visible_to(user)`.
        """
        if not isinstance(user, User) or not user.is_active:
            return self.none()
        if is_state_agent(user):
            return self
        return self.filter(is_internal=False)


class Document(models.Model):
    """An uploaded or generated file. Its content is checked on the way in (documents.uploads)."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=40)
    target = GenericForeignKey("target_type", "target_id")

    kind = models.SlugField("nature", max_length=40)
    file = models.FileField("fichier", upload_to=document_path, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    is_internal = models.BooleanField(
        "interne", default=False, help_text="Visible des seuls agents de l'État (instruction, préfecture, ministère)."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "document"
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="document_by_target")]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.file.name:
            raise ValueError("A document is stored through documents.services (attach, generate).")
        super().save(*args, **kwargs)

"""The audit trail: who did what to which object, when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.verbs import label_for


class EventQuerySet(models.QuerySet["Event"]):
    def for_target(self, target: models.Model) -> EventQuerySet:
        content_type = ContentType.objects.get_for_model(target)
        return self.filter(target_type=content_type, target_id=str(target.pk))

    def timeline(self) -> EventQuerySet:
        return self.select_related("actor").order_by("-created_at", "-pk")

    def public(self) -> EventQuerySet:
        """Without the events about internal notes and documents (`details["interne"]` true), for
        the people outside the State. Not `exclude(details__interne=True)`: in SQL that also drops
        every event without the key."""
        return self.filter(~models.Q(details__has_key="interne") | models.Q(details__interne=False))


class Event(models.Model):
    """One change of business data. Append-only: never edited, never deleted."""

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    verb = models.CharField("action", max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(max_length=40, blank=True, default="")
    target = GenericForeignKey("target_type", "target_id")
    details = models.JSONField("détails", default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "événement"
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="event_by_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("An audit event is never modified.")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return label_for(self.verb)

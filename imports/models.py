"""What came in: a spreadsheet uploaded for import (previewed, then applied) and, for Démarches
Simplifiées, the démarches connected with their mapping and the dossiers followed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ContractImport(models.Model):
    """A spreadsheet of contracts uploaded on the site: its preview (a run without writing), then,
    once confirmed, the real import. The file is kept so that what was applied is what was shown."""

    file_name = models.CharField("fichier", max_length=200)
    content = models.BinaryField("contenu")
    sha256 = models.CharField(max_length=64)
    partial = models.BooleanField("import partiel (les bonnes lignes seules)", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déposé par"
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    preview = models.JSONField("aperçu", default=dict)  # {"rows": [...], "names": [...], "summary": "…"}
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    applied_at = models.DateTimeField("importé le", null=True, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "import de contrats"
        verbose_name_plural = "imports de contrats"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied_at__isnull=True) | models.Q(applied_by__isnull=False),
                name="contract_import_applied_has_author",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%d/%m/%Y})"

    @property
    def shown(self) -> dict[str, Any]:
        """The result once applied, else the preview."""
        shown: dict[str, Any] = self.result or self.preview
        return shown

    @property
    def can_apply(self) -> bool:
        """Not applied yet, something to create, and nothing refused unless partial."""
        if self.applied_at is not None:
            return False
        statuses = [row["status"] for row in self.preview.get("rows", [])]
        failed = any(status in ("ambiguous", "rejected") for status in statuses)
        return "created" in statuses and (self.partial or not failed)

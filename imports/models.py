"""What came in: a spreadsheet uploaded for import (previewed, then applied) and, for Démarches
Simplifiées, the démarches connected with their mapping and the dossiers followed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from core.fields import BoundedTextField


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


class Demarche(models.Model):
    """A démarche of Démarches Simplifiées whose dossiers become PTAI drafts.

    The API token is kept encrypted (`imports.ds.crypto`, Fernet with `DS_TOKEN_KEY`); `mapping`
    says which field of the démarche (its champDescriptor id) fills which PTAI field.
    """

    number = models.PositiveIntegerField("numéro de la démarche", unique=True)
    title = models.CharField("titre", max_length=300, blank=True, default="")
    token_encrypted = models.BinaryField("jeton d'API chiffré")
    campaign = models.ForeignKey(
        "programme.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name="campagne des PTAI"
    )
    mapping = models.JSONField("correspondance des champs", default=dict, blank=True)
    # Decisions taken here are written back to DS (accept / refuse with motivation) when enabled.
    write_back = models.BooleanField("reporter les décisions sur Démarches Simplifiées", default=False)
    instructeur_id = models.CharField("identifiant DS de l'instructeur", max_length=100, blank=True, default="")
    updated_since = models.DateTimeField("dossiers modifiés depuis", null=True, blank=True)
    deleted_since = models.DateTimeField("dossiers supprimés depuis", null=True, blank=True)
    last_synced_at = models.DateTimeField("dernière synchronisation", null=True, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    connected_at = models.DateTimeField("connectée le", auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "démarche (Démarches Simplifiées)"

    def __str__(self) -> str:
        return f"Démarche n° {self.number}" + (f" — {self.title}" if self.title else "")


class Dossier(models.Model):
    """A dossier of a connected démarche and the PTAI draft it fills."""

    demarche = models.ForeignKey(Demarche, on_delete=models.PROTECT, related_name="dossiers")
    number = models.PositiveIntegerField("numéro du dossier")
    ds_id = models.CharField("identifiant DS", max_length=100)
    ds_state = models.CharField("état sur DS", max_length=30)
    modified_at = models.DateTimeField("dernière modification sur DS")
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="ds_dossier"
    )
    # Why the dossier has no draft yet (no agent of the collectivité, collectivité not found…).
    pending_reason = BoundedTextField("en attente", blank=True, default="")
    deleted_at = models.DateTimeField("supprimé sur DS le", null=True, blank=True)
    deleted_reason = models.CharField("motif de suppression sur DS", max_length=50, blank=True, default="")
    # The files of the dossier already taken (their DS checksum): a file is downloaded and attached once.
    files = models.JSONField("fichiers repris", default=list, blank=True)
    # The last decision written back to DS (the PTAI's transition log row): written once.
    decision_written = models.ForeignKey(
        "projects.ProjectTransition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décision reportée sur DS",
    )

    class Meta:
        ordering = ["demarche", "number"]
        verbose_name = "dossier (Démarches Simplifiées)"
        constraints = [models.UniqueConstraint(fields=["demarche", "number"], name="ds_dossier_unique_number")]

    def __str__(self) -> str:
        return f"Dossier n° {self.number} ({self.demarche})"

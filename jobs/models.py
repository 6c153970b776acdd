"""The e-mail outbox and the workers' heartbeats.

`OutgoingEmail`: every e-mail the platform sends is first written here by the outbox mailer
(`jobs.mail.OutboxEmailBackend`), then delivered by the task `jobs.tasks.deliver_email` through
the `delivery` mailer (SMTP in production). Its `key` makes a retried task send nothing twice.

`WorkerHeartbeat`: each `manage.py worker` process writes its id and the time every few seconds;
/healthz reads the newest, and `jobs.tasks.recover_tasks` puts back in the queue a task left
running by a worker that stopped beating (killed in the middle of it).
"""

from __future__ import annotations

from django.db import models

from core.fields import LONG_TEXT_MAX_LENGTH, BoundedTextField


class EmailStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    SENT = "sent", "envoyé"
    FAILED = "failed", "en échec"


class OutgoingEmail(models.Model):
    key = models.CharField("clé d'idempotence", max_length=64, unique=True)
    subject = models.CharField("objet", max_length=998)
    from_email = models.CharField("expéditeur", max_length=320)
    to = models.JSONField("destinataires", default=list)
    cc = models.JSONField("copie", default=list)
    bcc = models.JSONField("copie cachée", default=list)
    reply_to = models.JSONField("répondre à", default=list)
    body = BoundedTextField("texte", max_length=LONG_TEXT_MAX_LENGTH)
    alternatives = models.JSONField("versions HTML", default=list)
    status = models.CharField("état", max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    last_error = BoundedTextField("dernière erreur", max_length=2000, blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "e-mail sortant"
        verbose_name_plural = "e-mails sortants"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField("travailleur", max_length=64, unique=True)
    hostname = models.CharField("machine et processus", max_length=255, blank=True)
    started_at = models.DateTimeField("démarré le", auto_now_add=True)
    last_seen = models.DateTimeField("vu le", db_index=True)

    class Meta:
        verbose_name = "travailleur"
        verbose_name_plural = "travailleurs"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname})"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    RUNNING = "running", "en cours"
    DONE = "done", "prête"
    FAILED = "failed", "en échec"


class Export(models.Model):
    """A large export of a list, written by the task `jobs.tasks.run_export` (web.exports): the
    requester follows its progress and downloads it until `expires_at`; `purge_exports` deletes
    it after. `builder` is the dotted path of the code that lists the rows (never user input);
    `query` the list's filters as the requester typed them; the rows are those of his scope."""

    requester = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="exports")
    builder = models.CharField("constructeur", max_length=200)
    query = models.CharField("filtres", max_length=2000, blank=True)
    format = models.CharField("format", max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    label = models.CharField("liste", max_length=200)
    status = models.CharField("état", max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    rows_done = models.PositiveIntegerField("lignes écrites", default=0)
    rows_total = models.PositiveIntegerField("lignes à écrire", default=0)
    file = models.FileField("fichier", upload_to="exports/%Y/%m/", max_length=300, blank=True)
    filename = models.CharField("nom du fichier", max_length=200)
    error = models.CharField("erreur", max_length=2000, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    expires_at = models.DateTimeField("disponible jusqu'au", db_index=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

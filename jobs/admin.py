"""Administrators see the failed tasks and e-mails, with their error, and run them again.

/django-admin/django_tasks_db/dbtaskresult/?status__exact=FAILED lists failed tasks (error and
traceback on each); the action « Relancer » enqueues the same task with the same arguments (every
task is idempotent). /django-admin/jobs/outgoingemail/?status__exact=failed lists the e-mails the
mail server refused `EMAIL_MAX_ATTEMPTS` times; « Renvoyer » puts them back in the queue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from jobs.models import EmailStatus, OutgoingEmail, WorkerHeartbeat


def retry_task_results(results: QuerySet[DBTaskResult[Any, Any]]) -> int:
    count = 0
    for result in results.filter(status="FAILED"):
        task = import_string(result.task_path)
        task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        count += 1
    return count


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display: Any = ("task_name", "status", "enqueued_at", "finished_at", "error", "queue_name")
    actions = ["retry"]

    @admin.display(description="erreur")
    def error(self, obj: DBTaskResult[Any, Any]) -> str:
        return str(obj.exception_class_path).rsplit(".", 1)[-1]

    @admin.action(description="Relancer les tâches en échec sélectionnées")
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult[Any, Any]]) -> None:
        count = retry_task_results(queryset)
        self.message_user(request, f"{count} tâche(s) remise(s) dans la file.", messages.SUCCESS)


def resend_emails(emails: QuerySet[OutgoingEmail]) -> int:
    from jobs.tasks import deliver_email

    ids = list(emails.exclude(status=EmailStatus.SENT).values_list("pk", flat=True))
    OutgoingEmail.objects.filter(pk__in=ids).update(status=EmailStatus.PENDING, attempts=0, next_attempt_at=None)
    for pk in ids:
        deliver_email.enqueue(pk)
    return len(ids)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    list_display = ("subject", "recipients", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject", "to")
    actions = ["resend"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    @admin.display(description="destinataires")
    def recipients(self, obj: OutgoingEmail) -> str:
        return ", ".join(obj.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        return False

    @admin.action(description="Renvoyer les e-mails sélectionnés")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        count = resend_emails(queryset)
        self.message_user(request, f"{count} e-mail(s) remis dans la file d'envoi.", messages.SUCCESS)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker_id", "hostname", "started_at", "last_seen")
    readonly_fields = ("worker_id", "hostname", "started_at", "last_seen")

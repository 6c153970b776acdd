from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Tâches et envois"

    def ready(self) -> None:
        from jobs import signals  # noqa: F401  (connects the task signal handlers)

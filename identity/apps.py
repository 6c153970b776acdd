from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identité et connexion"

    def ready(self) -> None:
        from identity import signals  # noqa: F401  (log-in and log-out receivers)

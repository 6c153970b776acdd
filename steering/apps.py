from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "steering"
    verbose_name = "Pilotage"

    def ready(self) -> None:
        from steering import summaries

        summaries.connect()

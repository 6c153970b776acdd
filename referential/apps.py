from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "referential"

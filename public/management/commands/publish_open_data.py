from typing import Any

from django.core.management.base import BaseCommand

from public.services import publish


class Command(BaseCommand):
    help = "Régénère les fichiers de données ouvertes (SCDL, 360Giving) et le catalogue public des actions."

    def handle(self, *args: Any, **options: Any) -> None:
        result = publish()
        changed = ", ".join(result.changed) or "aucun fichier modifié"
        self.stdout.write(
            f"{result.awards} attributions, {result.published} publiées, "
            f"{result.catalogue} actions au catalogue ({changed})."
        )

"""Seed the priorities of the national strategy for the reception and integration of refugees (F13).

Source: « Stratégie nationale pour l'accueil et l'intégration des personnes réfugiées », Délégation
interministérielle à l'accueil et à l'intégration des réfugiés (Diair), presented at the Comité
interministériel à l'intégration of 5 June 2018. The Diair's page on the strategy
(accueil-integration-refugies.fr/strategie-nationale) says it is « organisée autour de 7 axes »
(pilotage, parcours d'intégration, maîtrise de la langue…); Forum réfugiés' account of the
presentation (« Intégration : la nouvelle stratégie nationale dévoilée », June 2018) lists the seven:
renforcer le pilotage de la politique d'intégration, engager chaque réfugié dans un parcours
d'intégration renforcé, améliorer la maîtrise de la langue française et l'accès à la formation et à
l'emploi, garantir l'accès au logement, améliorer l'accès aux soins, améliorer l'accès aux droits,
favoriser les liens entre les réfugiés et la société française. The first is worded as in the
strategy's table of contents (« Priorité transversale n° 1 : Renforcer le pilotage de la politique
d'intégration des réfugiés »); the others as in those lists, shortened where they repeat « des
réfugiés ». The flyer of May 2021 asks that CTAI actions « s'inscrivent dans les priorités de la
stratégie nationale d'accueil et d'intégration des réfugiés ».

The codes are stable (the API and the rules use them); administrators may reword the labels
(page « Priorités de la stratégie nationale »). A priority already present is left as it is.
"""

from django.db import migrations

PRIORITIES = [
    ("pilotage", "Renforcer le pilotage de la politique d'intégration des réfugiés"),
    ("parcours", "Engager chaque réfugié dans un parcours d'intégration renforcé"),
    ("langue-formation-emploi", "Améliorer la maîtrise de la langue française et l'accès à la formation et à l'emploi"),
    ("logement", "Garantir l'accès au logement"),
    ("soins", "Améliorer l'accès aux soins"),
    ("droits", "Améliorer l'accès aux droits"),
    ("liens-societe", "Favoriser les liens entre les réfugiés et la société française"),
]


def seed(apps, schema_editor):
    Priority = apps.get_model("programme", "Priority")
    for position, (code, label) in enumerate(PRIORITIES, start=1):
        Priority.objects.get_or_create(code=code, defaults={"label": label, "position": position})


def unseed(apps, schema_editor):
    Priority = apps.get_model("programme", "Priority")
    Priority.objects.filter(code__in=[code for code, _ in PRIORITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0004_strategy_priority")]

    operations = [migrations.RunPython(seed, unseed)]

from django.db import models


class BudgetLineCode(models.TextChoices):
    """Programme 104 « Intégration et accès à la nationalité française »."""

    REFUGEES = "104-15", "Programme 104, action 15 — Accompagnement des réfugiés"
    NEWCOMERS = "104-12", "Programme 104, action 12 — Accueil des étrangers primo-arrivants"


class ComplementRule(models.TextChoices):
    PROPORTIONAL = "proportional", "Proportionnel à l'ouverture aux autres primo-arrivants"
    NONE = "none", "Pas de crédits complémentaires"


class Severity(models.TextChoices):
    BLOCKING = "blocking", "Bloquant"
    WARNING = "warning", "Avertissement"
    DEROGATION = "derogation", "Dérogation à justifier"


class Instrument(models.TextChoices):
    """What a rule check is about: a PTAI, a CTAI (the contract) or a CTAI year's programming."""

    PTAI = "ptai", "PTAI"
    CTAI = "ctai", "CTAI"
    PROGRAMMING = "programming", "Programmation annuelle d'un CTAI"


class TargetPublic(models.TextChoices):
    ALL = "all", "Tous les primo-arrivants"
    BPI_ONLY = "bpi_only", "BPI uniquement"


class ContributionKind(models.TextChoices):
    """What a collectivité brings to a PTAI (its engagement, F35)."""

    COFUNDING = "cofunding", "Cofinancement"
    ROOM = "room", "Mise à disposition d'une salle"
    STAFF = "staff", "Mise à disposition de personnel"
    COMMUNICATION = "communication", "Relais de communication"
    SOURCING = "sourcing", "Aide au repérage du public"
    OPERATOR_SUPPORT = "operator_support", "Soutien à l'association porteuse"


# Signatory codes a campaign may list (signatory_natures): EPCI natures of
# referential.enums.EpciNature and authority kinds of referential.enums.AuthorityKind.
SIGNATORY_CHOICES = [
    ("METRO", "Métropoles"),
    ("MET69", "Métropole de Lyon"),
    ("CU", "Communautés urbaines"),
    ("CA", "Communautés d'agglomération"),
    ("CC", "Communautés de communes"),
    ("EPT", "Établissements publics territoriaux"),
    ("commune", "Communes"),
    ("departement", "Départements"),
    ("region", "Régions"),
]

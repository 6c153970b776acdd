from django.db import models


class EnvelopeLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGION = "region", "Région"
    DEPARTMENT = "department", "Département"


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", "Ouverture de crédits"
    DELEGATION_OUT = "delegation_out", "Délégation versée"
    DELEGATION_IN = "delegation_in", "Délégation reçue"
    COMMITMENT = "commitment", "Engagement"
    PAYMENT = "payment", "Versement"


class Tranche(models.TextChoices):
    ADVANCE = "advance", "Avance"
    INTERIM = "interim", "Acompte"
    BALANCE = "balance", "Solde"

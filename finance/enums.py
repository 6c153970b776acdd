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
    # The unspent part of a commitment given back (a file settled below what was committed): its own
    # kind, not a reversal, so the commitment stays cancellable for what remains.
    RELEASE = "release", "Libération de crédits"


# The entries that belong to a commitment (they point at it).
COMMITMENT_KINDS = (EntryKind.COMMITMENT, EntryKind.PAYMENT, EntryKind.RELEASE)


class Tranche(models.TextChoices):
    ADVANCE = "advance", "Avance"
    INTERIM = "interim", "Acompte"
    BALANCE = "balance", "Solde"

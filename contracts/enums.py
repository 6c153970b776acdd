"""The codes of the CTAI (state codes and transition names are part of the API)."""

from django.db import models


class ContractKind(models.TextChoices):
    CTAI = "ctai", "CTAI"
    CTAIR = "ctair", "CTAIR (réfugiés, 2019-2020)"


class ContractState(models.TextChoices):
    CONTACT = "contact", "Prise de contact"
    LETTER_RECEIVED = "letter_received", "Lettre d'engagement reçue"
    DIAGNOSIS = "diagnosis", "Diagnostic territorial"
    DRAFTING = "drafting", "Contrat en rédaction"
    SIGNED = "signed", "Signé"
    ENDED = "ended", "Terminé"
    ABANDONED = "abandoned", "Abandonné"
    WIDENED = "widened", "Élargi en CTAI"


class TransitionName(models.TextChoices):
    RECORD_LETTER = "record_letter", "Enregistrer la lettre d'engagement"
    START_DIAGNOSIS = "start_diagnosis", "Commencer le diagnostic"
    COMPLETE_DIAGNOSIS = "complete_diagnosis", "Terminer le diagnostic"
    SIGN = "sign", "Enregistrer la signature"
    END = "end", "Terminer le contrat"
    ABANDON = "abandon", "Abandonner"


S = ContractState

# Open steps: a contract may be abandoned from each of them.
OPEN_STATES = (S.CONTACT, S.LETTER_RECEIVED, S.DIAGNOSIS, S.DRAFTING)
# "In force": signed and not ended (at most one per collectivité, a database constraint).
IN_FORCE_STATES = (S.SIGNED,)
FINAL_STATES = (S.ENDED, S.ABANDONED, S.WIDENED)

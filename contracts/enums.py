"""The codes of the CTAI (state codes and transition names are part of the API)."""

from django.db import models


class ContractKind(models.TextChoices):
    CTAI = "ctai", "CTAI"
    CTAIR = "ctair", "CTAIR (réfugiés, 2019-2020)"


class ContractState(models.TextChoices):
    CONTACT = "contact", "Prise de contact"
    # A CTAI that widens a signed CTAIR starts here, from the collectivité's declaration of intent
    # (F16): no lettre d'engagement, the diagnostic comes next.
    WIDENING_DECLARED = "widening_declared", "Intention d'élargissement déclarée"
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
    AMEND = "amend", "Préparer un avenant"
    DECLARE_WIDENING = "declare_widening", "Déclarer l'intention d'élargir le CTAIR en CTAI"


S = ContractState

# The steps of a negotiation: a CTAIR still there may be widened into a CTAI and carried on (F16).
NEGOTIATION_STATES = (S.CONTACT, S.LETTER_RECEIVED, S.DIAGNOSIS, S.DRAFTING)
# Open steps: a contract may be abandoned from each of them.
OPEN_STATES = (S.CONTACT, S.WIDENING_DECLARED, S.LETTER_RECEIVED, S.DIAGNOSIS, S.DRAFTING)
# Where the collectivité (or the préfet) records its coordinator, named or being recruited (F20): before
# the signature and while in force.
COORDINATOR_STATES = (*OPEN_STATES, S.SIGNED)
# "In force": signed and not ended (at most one per collectivité, a database constraint).
IN_FORCE_STATES = (S.SIGNED,)
FINAL_STATES = (S.ENDED, S.ABANDONED, S.WIDENED)


class ProgrammingState(models.TextChoices):
    DRAFT = "draft", "En préparation"
    PRESENTED = "presented", "Présentée à la Diair"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    APPROVED = "approved", "Approuvée"
    COMMITTED = "committed", "Crédits engagés"
    # The year's report received, the balance paid and the unspent credits released.
    CLOSED = "closed", "Soldée"


class ProgrammingTransitionName(models.TextChoices):
    PRESENT = "present", "Présenter à la Diair"
    REQUEST_CHANGES = "request_changes", "Demander des modifications"
    APPROVE = "approve", "Approuver la programmation"
    COMMIT = "commit", "Engager les crédits de l'année et verser l'avance"
    CANCEL_COMMITMENT = "cancel_commitment", "Annuler l'engagement"
    CLOSE = "close", "Enregistrer le bilan de l'année et solder"


class ActionReview(models.TextChoices):
    """The Diair's check of one action of a presented programming."""

    PENDING = "pending", "À examiner"
    ACCEPTED = "accepted", "Acceptée"
    SENT_BACK = "sent_back", "Renvoyée"


class ActionPart(models.TextChoices):
    """Which part of the year's State funding carries an action (F11, F15): the socle (104-15) funds
    actions for BPI, the complement (104-12) the opening of actions to other primo-arrivants."""

    BASE = "base", "Socle : actions pour les BPI (programme 104, action 15)"
    COMPLEMENT = "complement", "Complément : autres primo-arrivants (programme 104, action 12)"


class CoordinatorStatus(models.TextChoices):
    """F20: the collectivité MAY name or recruit a dedicated coordinator."""

    NAMED = "named", "Nommé"
    RECRUITING = "recruiting", "En cours de recrutement"
    NONE = "none", "Pas de coordinateur"


class CarrierKind(models.TextChoices):
    AUTHORITY = "authority", "La collectivité"
    ASSOCIATION = "association", "Une association ou un opérateur"


# Programmings the collectivité may still edit (actions, amounts).
EDITABLE_PROGRAMMING_STATES = (ProgrammingState.DRAFT, ProgrammingState.CHANGES_REQUESTED)


class CallState(models.TextChoices):
    DRAFT = "draft", "En préparation"
    PUBLISHED = "published", "Publié"
    CLOSED = "closed", "Clos"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Déposée"
    SELECTED = "selected", "Retenue"
    REJECTED = "rejected", "Non retenue"


class AmendmentState(models.TextChoices):
    DRAFTED = "drafted", "En rédaction"
    SIGNED = "signed", "Signé"
    ABANDONED = "abandoned", "Abandonné"


class AmendmentTransitionName(models.TextChoices):
    SIGN = "sign", "Enregistrer la signature de l'avenant"
    ABANDON = "abandon", "Abandonner l'avenant"


class AmendmentObject(models.TextChoices):
    DATES = "dates", "Dates"
    AMOUNTS = "amounts", "Montants"
    OBJECTIVES = "objectives", "Objectifs"
    WIDENING = "widening", "Élargissement"

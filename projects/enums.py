from django.db import models


class ProjectState(models.TextChoices):
    """The states of a PTAI. The codes are part of the API."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    IN_REVIEW = "in_review", "En instruction"
    CORRECTION_REQUESTED = "correction_requested", "En correction"
    REVIEWED = "reviewed", "Instruit"
    PREFECT_APPROVED = "prefect_approved", "Validé par le préfet"
    PREFECT_REFUSED = "prefect_refused", "Refusé par le préfet"
    MINISTRY_APPROVED = "ministry_approved", "Validé par le Ministère"
    MINISTRY_REFUSED = "ministry_refused", "Refusé par le Ministère"
    # The Ministère delegated the granted amount to the département; its préfet commits it.
    CREDITS_DELEGATED = "credits_delegated", "Crédits délégués"
    # Committed by the préfet (arrêté or convention), advance paid: the project runs.
    FUNDED = "funded", "Engagé"
    CLOSED = "closed", "Soldé"
    DISMISSED = "dismissed", "Classé sans suite"
    WITHDRAWN = "withdrawn", "Abandonné"


class TransitionName(models.TextChoices):
    """The transitions of a PTAI (names are part of the API), with the button's French label."""

    SUBMIT = "submit", "Déposer le dossier"
    START_REVIEW = "start_review", "Commencer l'instruction"
    REQUEST_CORRECTION = "request_correction", "Demander une correction"
    RESUBMIT = "resubmit", "Renvoyer le dossier corrigé"
    GIVE_OPINION = "give_opinion", "Rendre l'avis d'instruction"
    PREFECT_APPROVE = "prefect_approve", "Valider et transmettre au Ministère"
    PREFECT_REFUSE = "prefect_refuse", "Refuser (préfet)"
    MINISTRY_APPROVE = "ministry_approve", "Valider (Ministère)"
    MINISTRY_REFUSE = "ministry_refuse", "Refuser (Ministère)"
    MINISTRY_SEND_BACK = "ministry_send_back", "Renvoyer en instruction"
    DELEGATE_CREDITS = "delegate_credits", "Déléguer les crédits au département"
    CANCEL_DELEGATION = "cancel_delegation", "Reprendre les crédits délégués"
    COMMIT = "commit", "Engager les crédits et verser l'avance"
    CANCEL_COMMITMENT = "cancel_commitment", "Annuler l'engagement"
    CLOSE = "close", "Solder le projet"
    DISMISS = "dismiss", "Classer sans suite"
    WITHDRAW = "withdraw", "Abandonner le projet"


class Opinion(models.TextChoices):
    FAVORABLE = "favorable", "Favorable"
    UNFAVORABLE = "unfavorable", "Défavorable"


class CarrierKind(models.TextChoices):
    AUTHORITY = "authority", "La collectivité elle-même"
    ASSOCIATION = "association", "Une association"


class ResourceKind(models.TextChoices):
    STATE_REQUEST = "state_request", "Montant demandé à l'État"
    AUTHORITY_COFUNDING = "authority_cofunding", "Cofinancement de la collectivité"
    OTHER_COFUNDER = "other_cofunder", "Autre cofinanceur"


# States where the file is still open (the applicant may withdraw it).
OPEN_STATES = (
    ProjectState.DRAFT,
    ProjectState.SUBMITTED,
    ProjectState.IN_REVIEW,
    ProjectState.CORRECTION_REQUESTED,
    ProjectState.REVIEWED,
    ProjectState.PREFECT_APPROVED,
    ProjectState.MINISTRY_APPROVED,
)
# States where the State services may still classify the file without follow-up.
DISMISSABLE_STATES = (
    ProjectState.SUBMITTED,
    ProjectState.IN_REVIEW,
    ProjectState.CORRECTION_REQUESTED,
    ProjectState.REVIEWED,
)
# States where the applicant may edit the file.
EDITABLE_STATES = (ProjectState.DRAFT, ProjectState.CORRECTION_REQUESTED)
# States in which the instructeur's avis is on the file.
REVIEWED_STATES = (
    ProjectState.REVIEWED,
    ProjectState.PREFECT_APPROVED,
    ProjectState.PREFECT_REFUSED,
    ProjectState.MINISTRY_APPROVED,
    ProjectState.MINISTRY_REFUSED,
    ProjectState.CREDITS_DELEGATED,
    ProjectState.FUNDED,
    ProjectState.CLOSED,
)
NOT_REVIEWED_STATES = (
    ProjectState.DRAFT,
    ProjectState.SUBMITTED,
    ProjectState.IN_REVIEW,
    ProjectState.CORRECTION_REQUESTED,
)
GRANTED_STATES = (
    ProjectState.MINISTRY_APPROVED,
    ProjectState.CREDITS_DELEGATED,
    ProjectState.FUNDED,
    ProjectState.CLOSED,
)
FUNDED_STATES = (ProjectState.FUNDED, ProjectState.CLOSED)

# The PTAI were opened by the 2021 programme (the flyer): no PTAI for an earlier campaign (the
# 2019-2020 campaigns only hold the CTAIR of the first wave).
PTAI_FIRST_YEAR = 2021

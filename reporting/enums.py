from django.db import models


class Period(models.TextChoices):
    INTERIM = "interim", "Bilan intermédiaire"
    FINAL = "final", "Bilan final"


class TargetKind(models.TextChoices):
    """What a report is about: a PTAI (one project, one action) or an action of a CTAI programming."""

    PTAI = "ptai", "PTAI"
    ACTION = "action", "Action de CTAI"


class ReportState(models.TextChoices):
    """The states of a report (codes are part of the API)."""

    EXPECTED = "expected", "À remettre"
    SUBMITTED = "submitted", "Remis"
    COMPLETION_REQUESTED = "completion_requested", "À compléter"
    ACCEPTED = "accepted", "Accepté"


class ReportTransitionName(models.TextChoices):
    SUBMIT = "submit", "Remettre le bilan"
    REQUEST_COMPLETION = "request_completion", "Demander des compléments"
    ACCEPT = "accept", "Accepter le bilan"

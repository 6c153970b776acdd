from django.db import models


class CommitteeLevel(models.TextChoices):
    NATIONAL = "national", "National"
    DEPARTMENT = "department", "Départemental"

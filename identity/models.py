"""What ProConnect says about an account: its subject, and the organisation claims it carries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProConnectIdentity(models.Model):
    """The ProConnect subject (`sub`) an account logs in with, and the last claims received.

    `siret` and `usual_name` are recorded at every log-in as ProConnect sends them: the SIRET of
    the agent's organisation and the agent's usual (family) name. They are information, never a
    right: rights come from a membership given by an invitation (accounts.services).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proconnect", verbose_name="compte"
    )
    sub = models.CharField("identifiant ProConnect (sub)", max_length=255, unique=True)
    siret = models.CharField("SIRET de l'organisation", max_length=14, blank=True, default="")
    usual_name = models.CharField("nom d'usage", max_length=150, blank=True, default="")
    given_name = models.CharField("prénom", max_length=150, blank=True, default="")
    first_login_at = models.DateTimeField("première connexion", auto_now_add=True)
    last_login_at = models.DateTimeField("dernière connexion", auto_now=True)

    class Meta:
        verbose_name = "identité ProConnect"
        verbose_name_plural = "identités ProConnect"

    def __str__(self) -> str:
        return f"ProConnect {self.sub}"

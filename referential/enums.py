from django.db import models


class Zone(models.TextChoices):
    METRO = "metro", "France métropolitaine"
    DROM = "drom", "Départements et régions d'outre-mer"


class AuthorityKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


class EpciNature(models.TextChoices):
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"
    CU = "CU", "Communauté urbaine"
    CA = "CA", "Communauté d'agglomération"
    CC = "CC", "Communauté de communes"
    EPT = "EPT", "Établissement public territorial"

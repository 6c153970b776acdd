from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent de collectivité"
    OPERATOR = "operator", "Opérateur"
    INSTRUCTOR = "instructor", "Instructeur"
    PREFECT = "prefect", "Préfet"
    DIAIR = "diair", "Diair"
    MINISTRY = "ministry", "Ministère"
    ADMIN = "admin", "Administrateur"


class ScopeLevel(models.TextChoices):
    AUTHORITY = "authority", "Collectivité"
    OPERATOR = "operator", "Opérateur"
    DEPARTMENT = "department", "Département"
    REGION = "region", "Région"
    NATIONAL = "national", "National"


# Which scope level each role may hold (the first is the usual one).
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.AGENT: (ScopeLevel.AUTHORITY,),
    Role.OPERATOR: (ScopeLevel.OPERATOR,),
    Role.INSTRUCTOR: (ScopeLevel.DEPARTMENT,),
    Role.PREFECT: (ScopeLevel.DEPARTMENT, ScopeLevel.REGION),
    Role.DIAIR: (ScopeLevel.NATIONAL,),
    Role.MINISTRY: (ScopeLevel.NATIONAL,),
    Role.ADMIN: (ScopeLevel.NATIONAL,),
}

# Roles a préfet may invite, always within the préfet's own territory.
PREFECT_INVITABLE_ROLES = (Role.INSTRUCTOR, Role.AGENT)

from typing import Any

from django.db import transaction

from audit.services import record_event
from core.validators import normalize_siret, validate_siret
from referential.models import Operator


@transaction.atomic
def register_operator(*, actor: Any, siret: str, name: str, rna: str = "") -> Operator:
    """The opérateur with this SIRET, created (and audited) if it is not known yet."""
    siret = normalize_siret(siret)
    validate_siret(siret)
    operator, created = Operator.objects.get_or_create(siret=siret, defaults={"name": name.strip(), "rna": rna})
    if created:
        record_event(actor=actor, verb="referential.operator_created", target=operator, details={"SIRET": siret})
    return operator

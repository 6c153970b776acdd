"""Existing data for 0006:

- a CTAI already opened as widening a CTAIR (`widens`, before the declaration existed) gets its
  declaration from its creation: the date and author of its opening, a text that says so (F16);
- existing actions are carried on the socle, except those that plan other primo-arrivants and no BPI
  (on the complement, F11); a programming still in preparation shows what to fix in « Ce qu'il manque ».

Nothing is written on the ledger.
"""

from django.db import migrations

LEGACY_DECLARATION = (
    "Intention d'élargissement enregistrée à l'ouverture de ce CTAI, avant que la plateforme "
    "n'enregistre le texte de la déclaration."
)


def backfill(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    for contract in Contract.objects.filter(widens__isnull=False, widening_declared_on__isnull=True):
        contract.widening_declared_on = contract.created_at.date()
        contract.widening_declared_by_id = contract.created_by_id
        contract.widening_declaration = LEGACY_DECLARATION
        contract.save(update_fields=["widening_declared_on", "widening_declared_by", "widening_declaration"])
    Action = apps.get_model("contracts", "Action")
    Action.objects.filter(planned_bpi=0, planned_newcomers__gt=0).update(part="complement")


class Migration(migrations.Migration):
    dependencies = [("contracts", "0006_widening_coordinator_parts_priorities_payments")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

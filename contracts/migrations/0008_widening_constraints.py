"""F16: a widening starts from a recorded declaration of intent; only a CTAI is a CTAIR carried on
(the data were filled in by 0007)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contracts", "0007_backfill_widening_declarations_and_action_parts")]

    operations = [
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('widening_declared_on__isnull', False), models.Q(('widened_in_negotiation', False), ('widens__isnull', True), models.Q(('state', 'widening_declared'), _negated=True)), _connector='OR'), name='contract_widening_has_declaration'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('widened_in_negotiation', False), ('kind', 'ctai'), _connector='OR'), name='contract_widened_in_negotiation_is_ctai'),
        ),
    ]

"""CTAI "as written" (F11, F13, F16, F20, and the payments of a programming):

- the declaration of intent that starts a widening (F16), and the CTAIR in negotiation carried on as
  a CTAI; the new state `widening_declared` and transition `declare_widening`;
- each action's part of the funding (socle / complement, F11) and its priority of the national
  strategy (F13);
- a programming's year report and final amounts (state `closed`), its transitions
  `cancel_commitment` and `close`.

Schema only: the existing data are filled in by 0007, then 0008 adds the widening's constraints (three
migrations, three transactions on PostgreSQL: no table altered with pending trigger events). A
committed programming keeps its commitments and ledger entries as they are: nothing is written on the
ledger (its balance is paid, whole, when its year's report is recorded).
"""

import django.core.validators
import django.db.models.deletion
import django_fsm
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_steering_committees'),
        ('programme', '0005_seed_strategy_priorities'),
        ('referential', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='programming',
            name='programming_committed_has_commitment',
        ),
        migrations.AddField(
            model_name='action',
            name='part',
            field=models.CharField(choices=[('base', 'Socle : actions pour les BPI (programme 104, action 15)'), ('complement', 'Complément : autres primo-arrivants (programme 104, action 12)')], default='base', max_length=10, verbose_name='part du financement'),
        ),
        migrations.AddField(
            model_name='action',
            name='priority',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ctai_actions', to='programme.priority', verbose_name='priorité de la stratégie nationale'),
        ),
        migrations.AddField(
            model_name='contract',
            name='widened_in_negotiation',
            field=models.BooleanField(default=False, verbose_name='CTAIR en négociation élargi en CTAI'),
        ),
        migrations.AddField(
            model_name='contract',
            name='widening_declaration',
            field=models.TextField(blank=True, default='', verbose_name="déclaration d'intention d'élargissement"),
        ),
        migrations.AddField(
            model_name='contract',
            name='widening_declared_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='déclaration enregistrée par'),
        ),
        migrations.AddField(
            model_name='contract',
            name='widening_declared_on',
            field=models.DateField(blank=True, null=True, verbose_name="intention d'élargissement déclarée le"),
        ),
        migrations.AddField(
            model_name='historicalaction',
            name='part',
            field=models.CharField(choices=[('base', 'Socle : actions pour les BPI (programme 104, action 15)'), ('complement', 'Complément : autres primo-arrivants (programme 104, action 12)')], default='base', max_length=10, verbose_name='part du financement'),
        ),
        migrations.AddField(
            model_name='historicalaction',
            name='priority',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programme.priority', verbose_name='priorité de la stratégie nationale'),
        ),
        migrations.AddField(
            model_name='historicalcontract',
            name='widened_in_negotiation',
            field=models.BooleanField(default=False, verbose_name='CTAIR en négociation élargi en CTAI'),
        ),
        migrations.AddField(
            model_name='historicalcontract',
            name='widening_declaration',
            field=models.TextField(blank=True, default='', verbose_name="déclaration d'intention d'élargissement"),
        ),
        migrations.AddField(
            model_name='historicalcontract',
            name='widening_declared_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='déclaration enregistrée par'),
        ),
        migrations.AddField(
            model_name='historicalcontract',
            name='widening_declared_on',
            field=models.DateField(blank=True, null=True, verbose_name="intention d'élargissement déclarée le"),
        ),
        migrations.AddField(
            model_name='historicalprogramming',
            name='final_base_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='dépensé sur le socle (€, action 15)'),
        ),
        migrations.AddField(
            model_name='historicalprogramming',
            name='final_complement_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='dépensé sur le complément (€, action 12)'),
        ),
        migrations.AddField(
            model_name='historicalprogramming',
            name='report_received_on',
            field=models.DateField(blank=True, null=True, verbose_name="bilan de l'année reçu le"),
        ),
        migrations.AddField(
            model_name='programming',
            name='final_base_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='dépensé sur le socle (€, action 15)'),
        ),
        migrations.AddField(
            model_name='programming',
            name='final_complement_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='dépensé sur le complément (€, action 12)'),
        ),
        migrations.AddField(
            model_name='programming',
            name='report_received_on',
            field=models.DateField(blank=True, null=True, verbose_name="bilan de l'année reçu le"),
        ),
        migrations.AlterField(
            model_name='contract',
            name='state',
            field=django_fsm.FSMField(choices=[('contact', 'Prise de contact'), ('widening_declared', "Intention d'élargissement déclarée"), ('letter_received', "Lettre d'engagement reçue"), ('diagnosis', 'Diagnostic territorial'), ('drafting', 'Contrat en rédaction'), ('signed', 'Signé'), ('ended', 'Terminé'), ('abandoned', 'Abandonné'), ('widened', 'Élargi en CTAI')], db_index=True, default='contact', max_length=20, protected=True, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='contracttransition',
            name='source',
            field=models.CharField(choices=[('contact', 'Prise de contact'), ('widening_declared', "Intention d'élargissement déclarée"), ('letter_received', "Lettre d'engagement reçue"), ('diagnosis', 'Diagnostic territorial'), ('drafting', 'Contrat en rédaction'), ('signed', 'Signé'), ('ended', 'Terminé'), ('abandoned', 'Abandonné'), ('widened', 'Élargi en CTAI')], max_length=20, verbose_name='état de départ'),
        ),
        migrations.AlterField(
            model_name='contracttransition',
            name='target',
            field=models.CharField(choices=[('contact', 'Prise de contact'), ('widening_declared', "Intention d'élargissement déclarée"), ('letter_received', "Lettre d'engagement reçue"), ('diagnosis', 'Diagnostic territorial'), ('drafting', 'Contrat en rédaction'), ('signed', 'Signé'), ('ended', 'Terminé'), ('abandoned', 'Abandonné'), ('widened', 'Élargi en CTAI')], max_length=20, verbose_name='nouvel état'),
        ),
        migrations.AlterField(
            model_name='historicalcontract',
            name='state',
            field=django_fsm.FSMField(choices=[('contact', 'Prise de contact'), ('widening_declared', "Intention d'élargissement déclarée"), ('letter_received', "Lettre d'engagement reçue"), ('diagnosis', 'Diagnostic territorial'), ('drafting', 'Contrat en rédaction'), ('signed', 'Signé'), ('ended', 'Terminé'), ('abandoned', 'Abandonné'), ('widened', 'Élargi en CTAI')], db_index=True, default='contact', max_length=20, protected=True, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='historicalprogramming',
            name='state',
            field=django_fsm.FSMField(choices=[('draft', 'En préparation'), ('presented', 'Présentée à la Diair'), ('changes_requested', 'Modifications demandées'), ('approved', 'Approuvée'), ('committed', 'Crédits engagés'), ('closed', 'Soldée')], db_index=True, default='draft', max_length=20, protected=True, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='programming',
            name='state',
            field=django_fsm.FSMField(choices=[('draft', 'En préparation'), ('presented', 'Présentée à la Diair'), ('changes_requested', 'Modifications demandées'), ('approved', 'Approuvée'), ('committed', 'Crédits engagés'), ('closed', 'Soldée')], db_index=True, default='draft', max_length=20, protected=True, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='programmingtransition',
            name='source',
            field=models.CharField(choices=[('draft', 'En préparation'), ('presented', 'Présentée à la Diair'), ('changes_requested', 'Modifications demandées'), ('approved', 'Approuvée'), ('committed', 'Crédits engagés'), ('closed', 'Soldée')], max_length=20, verbose_name='état de départ'),
        ),
        migrations.AlterField(
            model_name='programmingtransition',
            name='target',
            field=models.CharField(choices=[('draft', 'En préparation'), ('presented', 'Présentée à la Diair'), ('changes_requested', 'Modifications demandées'), ('approved', 'Approuvée'), ('committed', 'Crédits engagés'), ('closed', 'Soldée')], max_length=20, verbose_name='nouvel état'),
        ),
        migrations.AddConstraint(
            model_name='programming',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state__in', ['committed', 'closed']), _negated=True), ('base_commitment__isnull', False), _connector='OR'), name='programming_committed_has_commitment'),
        ),
        migrations.AddConstraint(
            model_name='programming',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'closed'), _negated=True), models.Q(('final_base_amount__isnull', False), ('final_complement_amount__isnull', False), ('report_received_on__isnull', False)), _connector='OR'), name='programming_closed_has_report'),
        ),
        migrations.AddConstraint(
            model_name='programming',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('final_base_amount__isnull', True), ('final_base_amount__lte', models.F('base_amount')), _connector='OR'), models.Q(('final_complement_amount__isnull', True), ('final_complement_amount__lte', models.F('complement_amount')), _connector='OR')), name='programming_spent_within_amounts'),
        ),
    ]

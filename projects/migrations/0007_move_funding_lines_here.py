"""Funders and funding lines move from the funding app to projects, which owns the dossier and
its financial plan (docs/architecture.md). Only Django's picture of the models moves: the tables
keep their names (`funding_funder`, `funding_fundingline`, `funding_historicalfundingline`), and
their content types are renamed, so that permissions, admin log entries and history keep their
ids."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("funder", "fundingline", "historicalfundingline")


def _relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=from_label, model__in=MOVED_MODELS).update(app_label=to_label)


def content_types_to_projects(apps, schema_editor):
    _relabel(apps, "funding", "projects")


def content_types_to_funding(apps, schema_editor):
    _relabel(apps, "projects", "funding")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_performance_indexes'),
        ('funding', '0005_performance_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Funder',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                    ('label', models.CharField(max_length=200, verbose_name='libellé')),
                    ('short_label', models.CharField(blank=True, max_length=60, verbose_name='libellé court')),
                    ('default_nature', models.CharField(choices=[('droit_commun', 'Droit commun'), ('specifique', 'Crédits spécifiques')], default='droit_commun', max_length=16, verbose_name='nature par défaut')),
                    ('order', models.PositiveSmallIntegerField(default=0, verbose_name='ordre')),
                    ('is_active', models.BooleanField(default=True, verbose_name='actif')),
                ],
                options={
                    'verbose_name': 'financeur',
                    'verbose_name_plural': 'financeurs',
                    'db_table': 'funding_funder',
                    'ordering': ['order', 'code'],
                },
            ),
            migrations.CreateModel(
                name='HistoricalFundingLine',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('nature', models.CharField(choices=[('droit_commun', 'Droit commun'), ('specifique', 'Crédits spécifiques')], max_length=16, verbose_name='nature')),
                    ('amount_requested', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='montant demandé')),
                    ('amount_granted', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='montant accordé')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='rang')),
                    ('history_change_reason', models.TextField(blank=True, null=True, verbose_name='motif')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('funder', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.funder', verbose_name='financeur')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('project', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.project', verbose_name='dossier')),
                ],
                options={
                    'verbose_name': 'historique des lignes de financement',
                    'verbose_name_plural': 'historique des lignes de financement',
                    'db_table': 'funding_historicalfundingline',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='FundingLine',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('nature', models.CharField(choices=[('droit_commun', 'Droit commun'), ('specifique', 'Crédits spécifiques')], max_length=16, verbose_name='nature')),
                    ('amount_requested', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='montant demandé')),
                    ('amount_granted', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='montant accordé')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='rang')),
                    ('funder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='funding_lines', to='projects.funder', verbose_name='financeur')),
                    ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='funding_lines', to='projects.project', verbose_name='dossier')),
                ],
                options={
                    'verbose_name': 'ligne de financement',
                    'verbose_name_plural': 'lignes de financement',
                    'db_table': 'funding_fundingline',
                    'ordering': ['project', 'position', 'id'],
                    'indexes': [models.Index(fields=['project'], include=('funder', 'nature', 'amount_requested', 'amount_granted'), name='fundingline_project_cover_idx'), models.Index(condition=models.Q(('amount_granted__gt', 0)), fields=['funder', 'project'], include=('amount_granted',), name='fundingline_granted_idx')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('amount_requested__gte', 0)), name='funding_line_requested_gte_0', violation_error_message='Le montant demandé doit être positif ou nul.'), models.CheckConstraint(condition=models.Q(('amount_granted__gte', 0), ('amount_granted__isnull', True), _connector='OR'), name='funding_line_granted_gte_0', violation_error_message='Le montant accordé doit être positif ou nul.'), models.CheckConstraint(condition=models.Q(('nature__in', ['droit_commun', 'specifique'])), name='funding_line_nature_valid')],
                },
            ),
                    ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_projects, content_types_to_funding),
    ]

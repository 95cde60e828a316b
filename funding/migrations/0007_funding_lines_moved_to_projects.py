"""Funders and funding lines now belong to projects (projects 0007): removed from this app's picture
of the models only; the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0006_envelope'),
        ('projects', '0007_move_funding_lines_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            # Envelopes now point at the funder where it lives (same table, same column).
            migrations.AlterField(
                model_name='envelope',
                name='funder',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='envelopes', to='projects.funder', verbose_name='financeur'),
            ),
            migrations.AlterField(
                model_name='historicalenvelope',
                name='funder',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.funder', verbose_name='financeur'),
            ),
            migrations.RemoveField(
                model_name='fundingline',
                name='funder',
            ),
            migrations.RemoveField(
                model_name='historicalfundingline',
                name='funder',
            ),
            migrations.RemoveField(
                model_name='fundingline',
                name='project',
            ),
            migrations.RemoveField(
                model_name='historicalfundingline',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalfundingline',
                name='project',
            ),
            migrations.DeleteModel(
                name='Funder',
            ),
            migrations.DeleteModel(
                name='FundingLine',
            ),
            migrations.DeleteModel(
                name='HistoricalFundingLine',
            ),
                    ],
            database_operations=[],
        ),
    ]

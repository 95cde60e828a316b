"""The data versions' table, created with its triggers by reports 0001: only Django's picture of
the model moves here, with the versioned cache (contratville/versioning.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0001_data_versions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='DataVersion',
                fields=[
                    ('key', models.CharField(max_length=16, primary_key=True, serialize=False)),
                    ('token', models.CharField(max_length=36)),
                ],
                options={
                    'verbose_name': 'version des données',
                    'verbose_name_plural': 'versions des données',
                    'db_table': 'reports_dataversion',
                },
            ),
                    ],
            database_operations=[],
        ),
    ]

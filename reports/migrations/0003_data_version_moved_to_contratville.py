"""DataVersion now belongs to contratville (contratville 0001); the table and its triggers stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contratville', '0001_data_version'),
        ('reports', '0002_envelope_versions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.DeleteModel(
                name='DataVersion',
            ),
                    ],
            database_operations=[],
        ),
    ]

"""Funders whose lines the agglomeration pays itself (its droit commun line and its FCS): their
payments are scheduled and recorded (funding.Payment)."""

from django.db import migrations, models

AGGLOMERATION_FUNDERS = ("cabbalr", "cabbalr_fcs")


def mark(apps, schema_editor):
    apps.get_model("projects", "Funder").objects.filter(code__in=AGGLOMERATION_FUNDERS).update(
        paid_by_agglomeration=True
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_operator_letter_fields")]

    operations = [
        migrations.AddField(
            model_name="funder",
            name="paid_by_agglomeration",
            field=models.BooleanField(
                default=False,
                help_text="Les lignes de ce financeur sont versées par l'agglomération (échéancier, versements).",
                verbose_name="versé par l'agglomération",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]

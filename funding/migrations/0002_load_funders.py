"""Loads the funders of docs/domain.md §5 (an administrator may edit or add to them)."""

from django.db import migrations

FUNDERS = [
    ("anct", "État – ANCT crédits politique de la ville", "État ANCT", "specifique"),
    ("etat_droit_commun", "État, autres programmes", "État droit commun", "droit_commun"),
    ("region", "Région Hauts-de-France", "Région", "droit_commun"),
    ("departement", "Département du Pas-de-Calais", "Département", "droit_commun"),
    ("caf", "CAF", "CAF", "droit_commun"),
    ("cabbalr", "Agglomération, droit commun", "Agglomération", "droit_commun"),
    ("cabbalr_fcs", "Agglomération, Fonds de cohésion sociale", "FCS", "specifique"),
    ("commune", "Communes", "Communes", "droit_commun"),
    ("bailleur", "Bailleurs sociaux", "Bailleurs", "droit_commun"),
    ("france_travail", "France Travail", "France Travail", "droit_commun"),
    ("fse", "Fonds social européen", "FSE", "droit_commun"),
    ("autre", "Autres financeurs", "Autres", "droit_commun"),
]


def load(apps, schema_editor):
    Funder = apps.get_model("funding", "Funder")
    for order, (code, label, short_label, nature) in enumerate(FUNDERS, start=1):
        Funder.objects.update_or_create(
            code=code,
            defaults={"label": label, "short_label": short_label, "default_nature": nature, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

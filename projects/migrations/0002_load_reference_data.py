"""Loads the reference data every database needs: the four piliers, the ANCT thématiques, the
agglomeration's 100 communes and its 16 QPV (files in fixtures/reference/, copied from public
sources, see README)."""

import csv
from pathlib import Path

from django.db import migrations

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "reference"

PILLARS = [
    ("cohesion_sociale", "Cohésion sociale", "Cohésion sociale"),
    ("cadre_de_vie", "Cadre de vie, renouvellement urbain", "Cadre de vie"),
    ("emploi", "Emploi et développement économique", "Emploi"),
    ("pilotage", "Pilotage, qualification des acteurs, évaluation", "Pilotage"),
]

# Where the agglomeration's own documents (and its bilans) spell a commune differently from the
# official geographic code, users expect their spelling.
USUAL_NAMES = {"62178": "Bruay-La-Buissière"}


def read_csv(name):
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Pillar = apps.get_model("projects", "Pillar")
    Theme = apps.get_model("projects", "Theme")
    Commune = apps.get_model("projects", "Commune")
    Quartier = apps.get_model("projects", "Quartier")

    pillars = {}
    for order, (code, label, short_label) in enumerate(PILLARS, start=1):
        pillars[code], _ = Pillar.objects.update_or_create(
            code=code, defaults={"label": label, "short_label": short_label, "order": order}
        )
    for order, row in enumerate(read_csv("thematiques_anct.csv"), start=1):
        Theme.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "label": row["libelle"].strip(),
                "pillar": pillars[row["pilier"].strip()],
                "order": order,
            },
        )
    communes = {}
    for row in read_csv("communes_cabbalr.csv"):
        communes[row["code_insee"].strip()], _ = Commune.objects.update_or_create(
            insee_code=row["code_insee"].strip(),
            defaults={"name": USUAL_NAMES.get(row["code_insee"].strip(), row["nom"].strip())},
        )
    for row in read_csv("qpv_cabbalr.csv"):
        quartier, _ = Quartier.objects.update_or_create(
            code_2015=row["code_2015"].strip(),
            defaults={"code_2024": row["code_2024"].strip(), "name": row["nom"].strip(), "kind": "qpv"},
        )
        known = [code for code in row["communes_connues"].split("|") if code.strip()]
        quartier.communes.set([communes[code.strip()] for code in known])


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

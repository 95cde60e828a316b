"""The default list of required pieces (for every year without its own list), which the direction
can change in the browser (/pieces-requises/)."""

from django.db import migrations

ASSOCIATION = [
    "statuts",
    "rib",
    "liste_dirigeants",
    "rapport_activite",
    "comptes_approuves",
    "budget_previsionnel",
    "cerfa_12156",
]
DEFAULTS = {
    "association": ASSOCIATION,
    # A public body applies with its deliberation's budget; it is paid through the Trésor public.
    "commune": ["budget_previsionnel"],
    "epci": ["budget_previsionnel"],
    "etablissement_public": ["budget_previsionnel", "rib"],
    "bailleur": ["budget_previsionnel", "rib"],
    "entreprise": ["statuts", "rib", "liste_dirigeants", "budget_previsionnel"],
    "autre": ["rib", "budget_previsionnel"],
}


def create_default_checklist(apps, schema_editor):
    Checklist = apps.get_model("documents", "Checklist")
    RequiredPiece = apps.get_model("documents", "RequiredPiece")
    checklist, created = Checklist.objects.get_or_create(year=None)
    if not created:
        return
    RequiredPiece.objects.bulk_create(
        RequiredPiece(checklist=checklist, operator_kind=kind, piece_type=piece)
        for kind, pieces in DEFAULTS.items()
        for piece in pieces
    )


def remove_default_checklist(apps, schema_editor):
    apps.get_model("documents", "Checklist").objects.filter(year=None).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_default_checklist, remove_default_checklist)]

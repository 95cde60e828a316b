"""Data versions: the comptes-rendus financiers (funding app) renew their dossier's year, since
the dossier filter `compte_rendu=en_retard` (registered by funding on the shared filters) reads
them wherever the filters serve the figures. Same triggers as migration 0001's,
from the frozen reports/migrations/_trigger_sql.py."""

from django.db import migrations

from reports.migrations import _trigger_sql

ALL = ("INSERT", "UPDATE", "DELETE")
WATCHED = {
    "funding_compterendu": (
        "SELECT p.year::text FROM projects_project p WHERE p.id IN (SELECT project_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.id = {row}.project_id",
        ALL,
    ),
    "funding_compterenduline": (
        "SELECT p.year::text FROM projects_project p JOIN funding_compterendu c ON c.project_id = p.id "
        "WHERE c.id IN (SELECT compte_rendu_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p JOIN funding_compterendu c "
        "ON c.project_id = p.id WHERE c.id = {row}.compte_rendu_id",
        ALL,
    ),
}


def install(apps, schema_editor):
    _trigger_sql.install(WATCHED, schema_editor)


def uninstall(apps, schema_editor):
    _trigger_sql.uninstall(WATCHED, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_document_versions"),
        ("funding", "0009_compte_rendu"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

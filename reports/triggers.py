"""The data-version triggers on SQLite after a migration.

To alter a table, Django's SQLite schema editor copies it into a new table and drops the old one:
the triggers of the old table go with it (PostgreSQL alters tables in place and keeps them). A
migration that adds a column to a watched table (projects 0008 on `projects_operator`) would
leave SQLite databases without the triggers that renew the figures' cache. So after every
`migrate` on SQLite, the triggers that reports' applied migrations declare are created again
where they are missing; the migrations stay the single definition of them."""

import importlib

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

# The migrations that declare triggers, each with its SQLite statements.
TRIGGER_MIGRATIONS = {
    "0001_data_versions": lambda module: [
        statement for table in module.WATCHED for statement in module._sqlite_statements(table)
    ],
    "0002_envelope_versions": lambda module: module._sqlite_statements(),
    "0004_document_versions": lambda module: _declared(module.WATCHED),
    "0005_compte_rendu_versions": lambda module: _declared(module.WATCHED),
}


def _declared(watched: dict) -> list[str]:
    from reports.migrations import _trigger_sql

    return [statement for table in watched for statement in _trigger_sql.sqlite_statements(watched, table)]


def declared_sqlite_triggers(applied: set[str] | None = None) -> list[tuple[str, str]]:
    """(table, CREATE TRIGGER statement) of each trigger the migrations in `applied` (by
    default all of them) declare for SQLite."""
    found = []
    for name, statements_of in TRIGGER_MIGRATIONS.items():
        if applied is not None and name not in applied:
            continue
        module = importlib.import_module(f"reports.migrations.{name}")
        for statement in statements_of(module):
            table = statement.split(" ON ", 1)[1].split(None, 1)[0]
            found.append((table, statement))
    return found


def restore_sqlite_triggers(using: str = "default", **kwargs) -> int:
    """Creates the missing data-version triggers of an SQLite database (a `post_migrate`
    receiver); the number of statements run. Nothing on PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    tables = set(connection.introspection.table_names())
    if "reports_dataversion" not in tables:
        return 0
    applied = {name for app, name in MigrationRecorder(connection).applied_migrations() if app == "reports"}
    count = 0
    with connection.cursor() as cursor:
        for table, statement in declared_sqlite_triggers(applied):
            if table in tables:
                cursor.execute(statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))
                count += 1
    return count

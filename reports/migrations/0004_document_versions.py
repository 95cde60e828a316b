"""Data versions: the dossiers' pieces (documents app) renew the tokens of what they change, since
the dossier filter `pieces=manquantes` (registered by the documents app on the shared filters)
reads them wherever the filters serve the figures: a piece received changes its dossier's year; a
checklist or one of its required pieces, every year ("global", as the reference data).

Same triggers as migration 0001's, kept here in full so that the migration stays what it was
when applied; reports/triggers.py puts them back on SQLite after a table rebuild."""

from django.db import migrations

ALL = ("INSERT", "UPDATE", "DELETE")
WATCHED = {
    "documents_document": (
        "SELECT p.year::text FROM projects_project p WHERE p.id IN (SELECT project_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.id = {row}.project_id",
        ALL,
    ),
    "documents_checklist": ("SELECT 'global' FROM {rows}", "SELECT 'global' AS k", ALL),
    "documents_requiredpiece": ("SELECT 'global' FROM {rows}", "SELECT 'global' AS k", ALL),
}
SQLITE_TOKEN = "lower(hex(randomblob(16)))"
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}


def _pg_statements(table: str) -> list[str]:
    keys_sql, _sqlite, operations = WATCHED[table]
    statements = []
    for operation in operations:
        name = f"reports_v_{SHORT[operation]}_{table}"[:63]
        if operation == "UPDATE":
            keys = f"({keys_sql.format(rows='new_rows')}) UNION ({keys_sql.format(rows='old_rows')})"
            referencing = "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows"
        elif operation == "INSERT":
            keys = keys_sql.format(rows="new_rows")
            referencing = "REFERENCING NEW TABLE AS new_rows"
        else:
            keys = keys_sql.format(rows="old_rows")
            referencing = "REFERENCING OLD TABLE AS old_rows"
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_renew_versions(ARRAY({keys}));
    RETURN NULL;
END
$$;
CREATE TRIGGER {name} AFTER {operation} ON {table} {referencing}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();"""
        )
    statements.append(
        f"CREATE TRIGGER reports_v_trunc_{table} AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_renew_global();"
    )
    return statements


def _sqlite_statements(table: str) -> list[str]:
    _pg, keys_sql, operations = WATCHED[table]
    statements = []
    for operation in operations:
        rows = ["NEW"] if operation == "INSERT" else ["OLD"] if operation == "DELETE" else ["NEW", "OLD"]
        body = "\n".join(
            f"    INSERT INTO reports_dataversion (key, token) "
            f"SELECT k, {SQLITE_TOKEN} FROM ({keys_sql.format(row=row)}) WHERE k IS NOT NULL "
            "ON CONFLICT (key) DO UPDATE SET token = excluded.token;"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER reports_v_{SHORT[operation]}_{table} AFTER {operation} ON {table} "
            f"FOR EACH ROW BEGIN\n{body}\nEND;"
        )
    return statements


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in WATCHED:
            if connection.vendor == "postgresql":
                statements = _pg_statements(table)
            elif connection.vendor == "sqlite":
                statements = _sqlite_statements(table)
            else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
                raise RuntimeError(f"Base de données non prise en charge : {connection.vendor}")
            for statement in statements:
                cursor.execute(statement)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (_pg, _sqlite, operations) in WATCHED.items():
            for operation in operations:
                name = f"reports_v_{SHORT[operation]}_{table}"[:63]
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS reports_v_trunc_{table} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_data_version_moved_to_contratville"),
        ("documents", "0002_default_checklist"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

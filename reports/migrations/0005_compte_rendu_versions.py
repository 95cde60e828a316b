"""Data versions: the comptes-rendus financiers (funding app) renew their dossier's year, since
the dossier filter `compte_rendu=en_retard` (registered by funding on the shared filters) reads
them wherever the filters serve the figures. Same triggers as migration 0001's, kept in full."""

from django.db import migrations

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
        ("reports", "0004_document_versions"),
        ("funding", "0009_compte_rendu"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

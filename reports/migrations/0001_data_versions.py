"""Data versions: a table of tokens and the triggers that renew them (see DataVersion).

Each watched table says which keys its rows touch, as SQL over a set of rows ("{rows}": the
statement's transition table on PostgreSQL, the row itself on SQLite):
- dossiers, their funding lines and their quartiers: the dossier's year;
- porteurs: the years of their dossiers (the associative counts read the porteur's type);
- programme years, their priority thématiques, the fonds de concours: that year;
- reference data (piliers, thématiques, funders, quartiers and their communes, communes):
  "global".

PostgreSQL: one statement-level trigger per table and operation (transition tables cannot
serve several operations), so an import of 10,000 lines renews each year's token once, plus a
TRUNCATE trigger that renews "global". SQLite (development and tests): row-level triggers.

Kept here in full rather than imported, so that the migration stays what it was when applied;
tests/reports/test_watched_tables.py checks that every table the figures read has its triggers."""

from django.db import migrations, models

# table -> (SQL of the keys of the rows in {rows}; SQLite: the same, column k, for one row {row};
# the operations watched)
ALL = ("INSERT", "UPDATE", "DELETE")
WATCHED = {
    "projects_project": (
        "SELECT year::text FROM {rows}",
        "SELECT CAST({row}.year AS TEXT) AS k",
        ALL,
    ),
    "funding_fundingline": (
        "SELECT p.year::text FROM projects_project p WHERE p.id IN (SELECT project_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.id = {row}.project_id",
        ALL,
    ),
    "projects_project_quartiers": (
        "SELECT p.year::text FROM projects_project p WHERE p.id IN (SELECT project_id FROM {rows})",
        "SELECT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.id = {row}.project_id",
        ALL,
    ),
    # A new porteur has no dossier yet: only its changes matter.
    "projects_operator": (
        "SELECT p.year::text FROM projects_project p WHERE p.operator_id IN (SELECT id FROM {rows})",
        "SELECT DISTINCT CAST(p.year AS TEXT) AS k FROM projects_project p WHERE p.operator_id = {row}.id",
        ("UPDATE", "DELETE"),
    ),
    "projects_programmeyear": (
        "SELECT year::text FROM {rows}",
        "SELECT CAST({row}.year AS TEXT) AS k",
        ALL,
    ),
    "projects_programmeyear_priority_themes": (
        "SELECT programmeyear_id::text FROM {rows}",
        "SELECT CAST({row}.programmeyear_id AS TEXT) AS k",
        ALL,
    ),
    "funding_fondsdeconcours": (
        "SELECT year::text FROM {rows}",
        "SELECT CAST({row}.year AS TEXT) AS k",
        ALL,
    ),
}
for _table in (
    "projects_pillar",
    "projects_theme",
    "funding_funder",
    "projects_quartier",
    "projects_quartier_communes",
    "projects_commune",
):
    WATCHED[_table] = ("SELECT 'global' FROM {rows}", "SELECT 'global' AS k", ALL)

PG_BUMP = """
CREATE OR REPLACE FUNCTION reports_renew_versions(keys text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reports_dataversion (key, token)
    SELECT k, replace(gen_random_uuid()::text, '-', '')
    FROM (SELECT DISTINCT k FROM unnest(keys) AS k WHERE k IS NOT NULL) AS keys
    -- Rows locked in one order whatever the statement: two writers never wait on each other
    -- in a cycle over the same years.
    ORDER BY k
    ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token
$$;
CREATE OR REPLACE FUNCTION reports_renew_global() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_renew_versions(ARRAY['global']);
    RETURN NULL;
END
$$;
"""
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
        if connection.vendor == "postgresql":
            cursor.execute(PG_BUMP)
            for table in WATCHED:
                for statement in _pg_statements(table):
                    cursor.execute(statement)
            token = "replace(gen_random_uuid()::text, '-', '')"
        elif connection.vendor == "sqlite":
            for table in WATCHED:
                for statement in _sqlite_statements(table):
                    cursor.execute(statement)
            token = SQLITE_TOKEN
        else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
            raise RuntimeError(f"Base de données non prise en charge : {connection.vendor}")
        # A first token for the data already there, different in every database.
        cursor.execute(f"INSERT INTO reports_dataversion (key, token) VALUES ('global', {token})")
        cursor.execute(
            f"INSERT INTO reports_dataversion (key, token) SELECT y, {token} "
            "FROM (SELECT DISTINCT CAST(year AS TEXT) AS y FROM projects_project) AS years"
        )


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (_pg, _sqlite, operations) in WATCHED.items():
            for operation in operations:
                name = f"reports_v_{SHORT[operation]}_{table}"
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name[:63]} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name[:63]}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS reports_v_trunc_{table} ON {table}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS reports_renew_global()")
            cursor.execute("DROP FUNCTION IF EXISTS reports_renew_versions(text[])")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("projects", "0006_performance_indexes"),
        ("funding", "0005_performance_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("key", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=36)),
            ],
            options={"verbose_name": "version des données", "verbose_name_plural": "versions des données"},
        ),
        migrations.RunPython(install, uninstall),
    ]

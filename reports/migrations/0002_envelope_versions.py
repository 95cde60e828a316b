"""Data versions: the funders' envelopes (funding.Envelope) renew their year's token, since the
bilan's FCS envelope reads them (reports.selectors). Same triggers as migration 0001's, for one
more table, kept here in full so that the migration stays what it was when applied."""

from django.db import migrations

TABLE = "funding_envelope"
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}
SQLITE_TOKEN = "lower(hex(randomblob(16)))"


def _pg_statements() -> list[str]:
    statements = []
    for operation in OPERATIONS:
        name = f"reports_v_{SHORT[operation]}_{TABLE}"
        if operation == "UPDATE":
            keys = "(SELECT year::text FROM new_rows) UNION (SELECT year::text FROM old_rows)"
            referencing = "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows"
        elif operation == "INSERT":
            keys = "SELECT year::text FROM new_rows"
            referencing = "REFERENCING NEW TABLE AS new_rows"
        else:
            keys = "SELECT year::text FROM old_rows"
            referencing = "REFERENCING OLD TABLE AS old_rows"
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_renew_versions(ARRAY({keys}));
    RETURN NULL;
END
$$;
CREATE TRIGGER {name} AFTER {operation} ON {TABLE} {referencing}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();"""
        )
    statements.append(
        f"CREATE TRIGGER reports_v_trunc_{TABLE} AFTER TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_renew_global();"
    )
    return statements


def _sqlite_statements() -> list[str]:
    statements = []
    for operation in OPERATIONS:
        rows = ["NEW"] if operation == "INSERT" else ["OLD"] if operation == "DELETE" else ["NEW", "OLD"]
        body = "\n".join(
            f"    INSERT INTO reports_dataversion (key, token) "
            f"SELECT CAST({row}.year AS TEXT), {SQLITE_TOKEN} "
            "WHERE true ON CONFLICT (key) DO UPDATE SET token = excluded.token;"
            for row in rows
        )
        statements.append(
            f"CREATE TRIGGER reports_v_{SHORT[operation]}_{TABLE} AFTER {operation} ON {TABLE} "
            f"FOR EACH ROW BEGIN\n{body}\nEND;"
        )
    return statements


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statements = _pg_statements()
        elif connection.vendor == "sqlite":
            statements = _sqlite_statements()
        else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
            raise RuntimeError(f"Base de données non prise en charge : {connection.vendor}")
        for statement in statements:
            cursor.execute(statement)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for operation in OPERATIONS:
            name = f"reports_v_{SHORT[operation]}_{TABLE}"
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS reports_v_trunc_{TABLE} ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_data_versions"),
        ("funding", "0006_envelope"),
    ]

    operations = [migrations.RunPython(install, uninstall)]

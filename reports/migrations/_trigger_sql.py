"""The data-version triggers of the migrations after 0002 (0004 and later), in one place: each
migration declares its `WATCHED` tables (table → the SQL of the keys its rows touch, PostgreSQL's
and SQLite's, and the operations watched) and installs them with `install(WATCHED, …)`.

Frozen: the migrations that use it must keep installing what they installed when applied, so this
module is never changed; a different trigger form is a new module. (0001 and 0002 keep their own
copies, as written before it.) The leading underscore keeps Django's migration loader from
reading it as a migration."""

SQLITE_TOKEN = "lower(hex(randomblob(16)))"
SHORT = {"INSERT": "ins", "UPDATE": "upd", "DELETE": "del"}


def pg_statements(watched: dict, table: str) -> list[str]:
    keys_sql, _sqlite, operations = watched[table]
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


def sqlite_statements(watched: dict, table: str) -> list[str]:
    _pg, keys_sql, operations = watched[table]
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


def install(watched: dict, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in watched:
            if connection.vendor == "postgresql":
                statements = pg_statements(watched, table)
            elif connection.vendor == "sqlite":
                statements = sqlite_statements(watched, table)
            else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
                raise RuntimeError(f"Base de données non prise en charge : {connection.vendor}")
            for statement in statements:
                cursor.execute(statement)


def uninstall(watched: dict, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (_pg, _sqlite, operations) in watched.items():
            for operation in operations:
                name = f"reports_v_{SHORT[operation]}_{table}"[:63]
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS reports_v_trunc_{table} ON {table}")

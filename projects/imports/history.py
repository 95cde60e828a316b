"""The audit trail of an import, written in bulk. (docstring completed below)"""

from django.db import connections

from projects.models import Project


class HistoryWriter:
    """The audit trail's records of one import, written in bulk: the same user, date and reason
    ("Import de programmation <file>") for all.

    Each model's records are written by one `INSERT … SELECT` from the rows just written (or,
    for "-", about to be deleted): the database copies the tracked fields' stored values into
    the historical table, which is what simple-history records (the tracked fields' values),
    without building a Python value, an instance or a parameter per field and record (~16,000
    records for a 10,000-row file)."""

    def __init__(self, *, user, reason: str, date):
        self.user_id = getattr(user, "pk", None)
        self.reason = reason
        self.date = date

    def record(self, model, history_type: str, keys, *, by: str = "pk", order_by=("pk",)) -> None:
        """Record, with `history_type` "+", "~" or "-", the rows of `model` whose field `by` is
        one of `keys`, in the order of `order_by` (the order their history ids are taken in)."""
        keys = list(keys)
        if not keys:
            return
        historical = model.history.model
        connection = connections[historical.objects.db]
        quote = connection.ops.quote_name
        meta, history_meta = model._meta, historical._meta
        tracked = historical.tracked_fields
        columns = [history_meta.get_field(field.name).column for field in tracked] + [
            history_meta.get_field(name).column
            for name in ("history_date", "history_change_reason", "history_type", "history_user")
        ]

        def column(name: str) -> str:
            return "t." + quote((meta.pk if name == "pk" else meta.get_field(name)).column)

        source = [column(field.name) for field in tracked]
        order = ", ".join(column(name) for name in order_by)
        date = history_meta.get_field("history_date").get_db_prep_save(self.date, connection)
        with connection.cursor() as cursor:
            for chunk in key_chunks(connection, keys):
                where, where_params = in_values(connection, column(by), chunk)
                sql = "INSERT INTO {} ({}) SELECT {}, %s, %s, %s, %s FROM {} t WHERE {} ORDER BY {}".format(
                    quote(history_meta.db_table),
                    ", ".join(quote(column) for column in columns),
                    ", ".join(source),
                    quote(meta.db_table),
                    where,
                    order,
                )
                cursor.execute(sql, [date, self.reason, history_type, self.user_id, *where_params])

    def record_quartiers(self, project_ids) -> None:
        """With each record of a dossier this import wrote, the dossier's quartiers as they now
        stand (what simple-history's m2m tracking stores with every record of a dossier)."""
        project_ids = list(project_ids)
        if not project_ids:
            return
        connection = connections[Project.history.model.quartiers.model.objects.db]
        for chunk in key_chunks(connection, project_ids):
            self._record_quartiers(connection, chunk)

    def _record_quartiers(self, connection, project_ids: list) -> None:
        historical = Project.history.model
        Snapshot = historical.quartiers.model
        Through = Project.quartiers.through
        quote = connection.ops.quote_name

        def column(model, name):
            return quote(model._meta.get_field(name).column)

        where, where_params = in_values(connection, f"h.{column(historical, 'id')}", project_ids)
        sql = (
            "INSERT INTO {snapshot} ({columns}) "
            "SELECT h.{history_id}, t.{id}, t.{project}, t.{quartier} "
            "FROM {history} h JOIN {through} t ON t.{project} = h.{project_id} "
            "WHERE h.{date} = %s AND {where} ORDER BY h.{history_id}, t.{id}"
        ).format(
            snapshot=quote(Snapshot._meta.db_table),
            columns=", ".join(column(Snapshot, name) for name in ("history", "id", "project", "quartier")),
            history_id=column(historical, "history_id"),
            id=column(Through, "id"),
            project=column(Through, "project"),
            quartier=column(Through, "quartier"),
            history=quote(historical._meta.db_table),
            through=quote(Through._meta.db_table),
            project_id=column(historical, "id"),
            date=column(historical, "history_date"),
            where=where,
        )
        date = historical._meta.get_field("history_date").get_db_prep_save(self.date, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [date, *where_params])


SQLITE_KEYS_PER_STATEMENT = 10_000


def key_chunks(connection, keys: list) -> list[list]:
    """Every key at once on PostgreSQL (one array parameter); SQLite takes at most 32,766
    parameters in a statement, and a file may hold 100,000 dossiers: chunks of 10,000."""
    if connection.vendor == "postgresql":
        return [keys]
    size = SQLITE_KEYS_PER_STATEMENT
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def in_values(connection, column: str, values: list) -> tuple[str, list]:
    """`column` is one of `values`: one array parameter on PostgreSQL, else one per value."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values

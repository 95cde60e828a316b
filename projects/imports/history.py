"""The audit trail of an import, written in bulk.

Every record of one import has the same user, date and reason ("Import de programmation
<file>", see `rights.ImportRights.reason`) and holds what django-simple-history records on a
save: the tracked fields' values and, for a dossier, its quartiers as they then stand.

simple-history's own bulk helpers write the records where they fit:

- the programme years the import creates: `bulk_create_with_history`;
- the porteurs it creates (`HistoryWriter.created`: `bulk_history_create` once their rows are
  written, by `COPY` on PostgreSQL) and those it changes: `bulk_update_with_history`.

They do not fit the rest, which `HistoryWriter.record` writes by one `INSERT … SELECT` per
model and kind of record: the database copies the tracked fields' stored values from the rows
just written (or about to be deleted) into the historical table.

- The replaced funding lines, recorded as deleted ("-"): the helpers write "+" and "~" only.
- The quartiers of each dossier record (`record_quartiers`): simple-history writes these
  snapshots on a per-instance save only; no helper writes them.
- The new funding lines ("+"): written as rows (`COPY`, or one `executemany`), they have no
  model instance nor id in Python, which `bulk_history_create` needs. Reading them back and
  recording them with it cost, for a 10,000-row file, 1.9 s of CPU more at creation (4.45 s
  instead of 2.55 s for the whole import) and 2.2 s more at update (6.05 s instead of 3.81 s).
- The dossiers created and changed ("+", "~"): they are instances, so `bulk_history_create`
  would do, but building 2,500 historical instances and compiling their `INSERT` cost 1.4 s of
  CPU more at creation (3.94 s instead of 2.55 s) and 1.2 s more at update (4.99 s instead of
  3.81 s), for the same records.

Figures: bench/import_rate.py's file of 10,000 rows (2,500 dossiers), SQLite, CPU time of the
import, best of 3 runs of each way in one process. The records are the same either way
(tests/projects/test_import_writes.py compares each record with its row).
"""

from django.db import connections

from projects.models import Project


class HistoryWriter:
    """The audit trail's records of one import: the same user, date and reason for all."""

    def __init__(self, *, user, reason: str, date):
        self.user = user
        self.user_id = getattr(user, "pk", None)
        self.reason = reason
        self.date = date

    @property
    def defaults(self) -> dict:
        """The records' user, reason and date, as simple-history's bulk helpers take them. (The
        user is None for the command line only, where no request is signed in.)"""
        return {"default_user": self.user, "default_change_reason": self.reason, "default_date": self.date}

    def created(self, model, instances: list) -> None:
        """Record `instances`, just written, as created ("+"), in their order: simple-history's
        `bulk_history_create`."""
        if instances:
            model.history.bulk_history_create(instances, **self.defaults)

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

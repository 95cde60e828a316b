"""Writing an import's plan (`planning.Plan`) in one go: the programme years, the porteurs,
the dossiers with their quartiers, their funding lines, their status changes, and the audit
trail of each (`history`).

Rows are written in bulk: by `COPY` on PostgreSQL (the ids of new dossiers and porteurs taken
from their sequence first), one `INSERT` run over all rows elsewhere, and `bulk_update` naming
only the fields some dossier changes; the programme years and the porteurs with simple-history's
bulk helpers (`bulk_create_with_history`, `bulk_update_with_history`), the rest of the audit
trail as `history` explains. The replaced funding lines are deleted by one SQL
`DELETE` through the connection's cursor, after their audit trail is recorded: the ORM's
`QuerySet.delete()` would load every line and send its signals, on which simple-history would
record each line again, one by one, without the import's user and reason. What the ORM would
do besides is done first: the rows that point to a replaced line (`on_delete=SET_NULL`: a
scenario's line, a funder's decision) have their link emptied.
"""

from django.db import connections, models
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from projects.models import FundingLine, Operator, ProgrammeYear, Project, StatusChange

from .history import HistoryWriter, in_values, key_chunks
from .links import links_to_lines
from .planning import Plan


def insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (values of `fields`, ready for the database) into `model`'s table, the ids
    taken from its sequence unless `fields` names the primary key: a `COPY` on PostgreSQL, one
    `INSERT` run over all rows elsewhere. No model instance is needed: the rows of the funding
    lines, the quartiers and the status changes need no id back (their history is read from
    the table, see `history.HistoryWriter.record`)."""
    if not rows:
        return
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Through the driver's cursor, so the driver's errors are turned into Django's here
            # (an IntegrityError of an import running at the same time, see `service.programmation_import`).
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


# Fields whose Python value is the value the database takes (as `get_db_prep_save` would
# give it); any other field's value goes through `get_db_prep_save`.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def insert_instances(model, instances: list) -> None:
    """`bulk_create(instances)`, each given its id. On PostgreSQL by `COPY`, the ids taken from
    the table's sequence first (as the inserts would take them, in the same order), without
    Django compiling an `INSERT` of every field of every instance."""
    if not instances:
        return
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, len(instances)],
        )
        ids = sorted(pk for (pk,) in cursor.fetchall())
    fields = meta.concrete_fields
    # What bulk_create does per field: `pre_save` where the field's class gives it something to
    # do (the dates of `auto_now(_add)`), then `get_db_prep_save` where the value is not
    # already what the database takes.
    custom = [type(field).pre_save is not models.Field.pre_save for field in fields]
    plain = [isinstance(field, _PLAIN_FIELDS) for field in fields]
    steps = list(zip(fields, custom, plain, strict=True))
    rows = []
    for instance, pk in zip(instances, ids, strict=True):
        instance.pk = pk
        row = []
        for model_field, has_pre_save, is_plain in steps:
            if has_pre_save:
                value = model_field.pre_save(instance, add=True)
            else:
                value = getattr(instance, model_field.attname)
            row.append(value if is_plain else model_field.get_db_prep_save(value, connection))
        rows.append(row)
        instance._state.adding = False
        instance._state.db = connection.alias
    insert_rows(model, [field.name for field in fields], rows)


def write_plan(plan: Plan, history: HistoryWriter, *, user, comment: str) -> None:
    """Write `plan`, recording each row's audit trail with `history` and each status change
    with `user` and `comment`. Raises IntegrityError when a concurrent write collides."""
    known_years = set(ProgrammeYear.objects.filter(year__in=plan.years).values_list("year", flat=True))
    new_years = [ProgrammeYear(year=year) for year in plan.years if year not in known_years]
    if new_years:
        bulk_create_with_history(new_years, ProgrammeYear, **history.defaults)

    operators = plan.operators
    insert_instances(Operator, operators.created)
    history.created(Operator, operators.created)
    if operators.updated:
        changed = [operators.updated[pk] for pk in sorted(operators.updated)]
        for operator in changed:
            operator.updated_at = plan.now
        bulk_update_with_history(
            changed, Operator, ["name", "kind", "siret", "updated_at"], **history.defaults
        )

    for creation in plan.creations:
        creation.project.operator = creation.operator
    created_projects = [creation.project for creation in plan.creations]
    insert_instances(Project, created_projects)
    for update in plan.updates:
        update.project.operator = update.operator
    updated_projects = [update.project for update in plan.updates]
    # Only the fields some dossier changes go through bulk_update (one CASE per dossier and
    # field); the version and the date, the same step for all, in one plain UPDATE.
    changed_fields = sorted(
        {name for update in plan.updates for name in update.changed_fields} - {"decision_date"}
    )
    if changed_fields:
        Project.objects.bulk_update(updated_projects, changed_fields)
    Project.objects.filter(pk__in=[project.pk for project in updated_projects]).update(
        version=F("version") + 1, updated_at=plan.now
    )
    # A decision date takes a few values (a year's committee, today, none): one UPDATE each.
    decided: dict = {}
    for update in plan.updates:
        if "decision_date" in update.changed_fields:
            decided.setdefault(update.project.decision_date, []).append(update.project.pk)
    for decision_date, ids in decided.items():
        Project.objects.filter(pk__in=ids).update(decision_date=decision_date)

    Through = Project.quartiers.through
    new_quartiers = [*plan.creations, *(update for update in plan.updates if update.quartiers_changed)]
    Through.objects.filter(
        project_id__in=[update.project.pk for update in plan.updates if update.quartiers_changed]
    ).delete()
    insert_rows(
        Through,
        ["project", "quartier"],
        [
            (dossier.project.pk, quartier_id)
            for dossier in new_quartiers
            for quartier_id in sorted(dossier.quartier_ids)
        ],
    )
    history.record(Project, "+", [project.pk for project in created_projects])
    history.record(Project, "~", [project.pk for project in updated_projects])
    history.record_quartiers(project.pk for project in created_projects + updated_projects)

    # The replaced lines are recorded as deleted, in bulk; then deleted without the per-row
    # signals that would record them again, one by one.
    new_lines = [*plan.creations, *(update for update in plan.updates if update.lines_changed)]
    replaced_ids = [update.project.pk for update in plan.updates if update.lines_changed]
    history.record(FundingLine, "-", replaced_ids, by="project", order_by=("project", "position", "id"))
    _delete_lines(replaced_ids)
    insert_rows(
        FundingLine,
        ["project", "funder", "nature", "amount_requested", "amount_granted", "position"],
        [
            (
                dossier.project.pk,
                line.funder_id,
                line.nature,
                line.amount_requested,
                line.amount_granted,
                line.position,
            )
            for dossier in new_lines
            for line in dossier.lines
        ],
    )
    # Every line of these dossiers is new now.
    history.record(FundingLine, "+", [dossier.project.pk for dossier in new_lines], by="project")

    # As `bulk_create` would: each change dated when written (`auto_now_add`).
    changed_at = StatusChange._meta.get_field("changed_at")
    connection = connections[StatusChange.objects.db]
    user_id = getattr(user, "pk", None)
    insert_rows(
        StatusChange,
        ["project", "from_status", "to_status", "changed_at", "changed_by", "comment"],
        [
            (
                move.project.pk,
                move.from_status,
                move.to_status,
                changed_at.get_db_prep_save(timezone.now(), connection),
                user_id,
                comment,
            )
            for move in plan.status_moves
        ],
    )


def _delete_lines(project_ids: list[int]) -> None:
    """Delete the funding lines of these dossiers: one `DELETE` (per chunk of dossiers on
    SQLite), no model instance, no signal (see the module's docstring). The rows of other models
    that point to a deleted line (a scenario's line, a funder's decision) keep their row, their
    link emptied first, as their `on_delete=SET_NULL` asks and as `QuerySet.delete()` would do."""
    if not project_ids:
        return
    connection = connections[FundingLine.objects.db]
    quote = connection.ops.quote_name
    meta = FundingLine._meta
    column = quote(meta.get_field("project").column)
    with connection.cursor() as cursor:
        for chunk in key_chunks(connection, project_ids):
            doomed = FundingLine.objects.filter(project_id__in=chunk).values("pk")
            for link in links_to_lines():
                link.related_model._base_manager.filter(**{f"{link.field.name}__in": doomed}).update(
                    **{link.field.name: None}
                )
            where, params = in_values(connection, column, chunk)
            cursor.execute(f"DELETE FROM {quote(meta.db_table)} WHERE {where}", params)

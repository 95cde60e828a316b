"""Opens the audit trail with one record of every existing operator, programme year, dossier
(with its quartiers) and indicator as it stands, so that the first change made afterwards
shows its values before and after."""

from django.db import migrations
from django.utils import timezone

BASELINE_REASON = "État à l'ouverture du journal des modifications"
CHUNK = 2000


def _tracked(historical_model) -> list[str]:
    return [
        field.attname
        for field in historical_model._meta.concrete_fields
        if not field.name.startswith("history_")
    ]


def _baseline(model, historical_model, now) -> dict[int, int]:
    """Writes one record per row; returns the history id of each row's record."""
    names = _tracked(historical_model)
    history_ids = {}
    rows = model.objects.order_by("pk").values(*names)
    batch = []

    def flush():
        created = historical_model.objects.bulk_create(batch)
        for record in created:
            history_ids[getattr(record, model._meta.pk.attname)] = record.history_id
        batch.clear()

    for values in rows.iterator(chunk_size=CHUNK):
        batch.append(
            historical_model(
                history_date=now, history_type="+", history_change_reason=BASELINE_REASON, **values
            )
        )
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return history_ids


def open_audit_trail(apps, schema_editor):
    now = timezone.now()
    for name in ("Operator", "ProgrammeYear", "Indicator"):
        _baseline(apps.get_model("projects", name), apps.get_model("projects", f"Historical{name}"), now)

    Project = apps.get_model("projects", "Project")
    history_of = _baseline(Project, apps.get_model("projects", "HistoricalProject"), now)
    Through = Project.quartiers.through
    HistoricalQuartiers = apps.get_model("projects", "HistoricalProject_quartiers")
    batch = []
    for row_id, project_id, quartier_id in (
        Through.objects.order_by("pk").values_list("id", "project_id", "quartier_id").iterator(chunk_size=CHUNK)
    ):
        batch.append(
            HistoricalQuartiers(
                history_id=history_of[project_id], id=row_id, project_id=project_id, quartier_id=quartier_id
            )
        )
        if len(batch) >= CHUNK:
            HistoricalQuartiers.objects.bulk_create(batch)
            batch.clear()
    HistoricalQuartiers.objects.bulk_create(batch)


def close_audit_trail(apps, schema_editor):
    for name in ("Operator", "ProgrammeYear", "Indicator", "Project"):
        historical = apps.get_model("projects", f"Historical{name}")
        records = historical.objects.filter(history_change_reason=BASELINE_REASON)
        if name == "Project":
            apps.get_model("projects", "HistoricalProject_quartiers").objects.filter(
                history__in=records
            ).delete()
        records.delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_history_and_version")]

    operations = [migrations.RunPython(open_audit_trail, close_audit_trail)]

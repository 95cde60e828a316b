"""Opens the audit trail with one record of every existing funding line and fonds de concours
as it stands, so that the first change made afterwards shows its amounts before and after."""

from django.db import migrations
from django.utils import timezone

BASELINE_REASON = "État à l'ouverture du journal des modifications"
CHUNK = 2000


def open_audit_trail(apps, schema_editor):
    now = timezone.now()
    for name in ("FundingLine", "FondsDeConcours"):
        model = apps.get_model("funding", name)
        historical = apps.get_model("funding", f"Historical{name}")
        names = [f.attname for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
        batch = []
        for values in model.objects.order_by("pk").values(*names).iterator(chunk_size=CHUNK):
            batch.append(
                historical(history_date=now, history_type="+", history_change_reason=BASELINE_REASON, **values)
            )
            if len(batch) >= CHUNK:
                historical.objects.bulk_create(batch)
                batch.clear()
        historical.objects.bulk_create(batch)


def close_audit_trail(apps, schema_editor):
    for name in ("FundingLine", "FondsDeConcours"):
        apps.get_model("funding", f"Historical{name}").objects.filter(
            history_change_reason=BASELINE_REASON
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0003_history"), ("projects", "0005_history_baseline")]

    operations = [migrations.RunPython(open_audit_trail, close_audit_trail)]

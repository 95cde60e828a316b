"""The agents' follow-up (`/suivi/`): what needs doing now across the programme — comptes-rendus
late, payments due this month or late, dossiers in instruction for too long, dossiers missing
pieces. Each item counts, lists its first dossiers, and links to the full list where it can be
filtered and exported (the dossier list's `compte_rendu=en_retard`, `pieces=manquantes`; the
payments list's `echeance=`). A fixed number of queries, whatever the number of dossiers."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from documents.selectors import projects_with_missing_pieces
from funding.compte_rendu_services import late_compte_rendu_projects
from funding.models import Payment, PaymentState
from funding.payment_selectors import month_bounds
from projects.models import Project, Status

SHOWN = 20
ZERO = Decimal("0.00")


@dataclass
class Item:
    count: int = 0
    amount: Decimal = ZERO
    projects: list = field(default_factory=list)


@dataclass
class FollowUp:
    today: date
    instruction_days: int
    late_comptes_rendus: Item
    payments_due: Item
    payments_late: Item
    long_instruction: Item
    missing_pieces: Item


def instruction_days_default() -> int:
    return int(getattr(settings, "FOLLOW_UP_INSTRUCTION_DAYS", 60))


def long_instruction_projects(days: int, today: date | None = None):
    """Dossiers in instruction since more than `days` days (since their last move to
    `en_instruction`, or their creation when none is recorded), with `since` annotated."""
    today = today or timezone.localdate()
    limit = timezone.make_aware(
        timezone.datetime.combine(today - timedelta(days=days), timezone.datetime.min.time())
    )
    return (
        Project.objects.filter(status=Status.EN_INSTRUCTION)
        .annotate(
            since=Max("status_changes__changed_at", filter=Q(status_changes__to_status=Status.EN_INSTRUCTION))
        )
        .filter(Q(since__lt=limit) | Q(since__isnull=True, created_at__lt=limit))
        .select_related("operator")
        .order_by("since", "created_at", "pk")
    )


def _item(queryset) -> Item:
    projects = list(queryset.select_related("operator").order_by("year_id", "reference")[:SHOWN])
    return Item(count=queryset.count(), projects=projects)


def follow_up(days: int | None = None, today: date | None = None) -> FollowUp:
    today = today or timezone.localdate()
    days = instruction_days_default() if days is None else days
    first, last = month_bounds(today)
    planned = Payment.objects.filter(state=PaymentState.PREVU)
    due = planned.filter(planned_on__range=(first, last)).aggregate(
        count=Count("pk"), amount=Sum("planned_amount")
    )
    late = planned.filter(planned_on__lt=today).aggregate(count=Count("pk"), amount=Sum("planned_amount"))
    long = long_instruction_projects(days, today)
    current = Project.objects.filter(status__in=(Status.EN_INSTRUCTION, Status.PROGRAMME))
    return FollowUp(
        today=today,
        instruction_days=days,
        late_comptes_rendus=_item(late_compte_rendu_projects(today)),
        payments_due=Item(count=due["count"], amount=due["amount"] or ZERO),
        payments_late=Item(count=late["count"], amount=late["amount"] or ZERO),
        long_instruction=Item(count=long.count(), projects=list(long[:SHOWN])),
        missing_pieces=_item(projects_with_missing_pieces(current)),
    )

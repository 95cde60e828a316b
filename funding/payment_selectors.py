"""Reads of the payments (versements): a dossier's lines with their payments and what is left to
plan and to pay; the payments list (`/versements/`) with the dossier filters and its own
(django-filter), its totals, and its export."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import django_filters
import openpyxl
from django import forms
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from contratville.formatting import XLSX_AMOUNT_FORMAT, plain_amount
from contratville.tabular import formula_safe
from projects.filters import DossierScope
from projects.models import FundingLine, Project

from .models import Payment, PaymentState

ZERO = Decimal("0.00")


@dataclass
class LinePayments:
    """A funding line with a granted amount, and its payments."""

    line: FundingLine
    payments: list[Payment] = field(default_factory=list)

    @property
    def granted(self) -> Decimal:
        return self.line.amount_granted or ZERO

    @property
    def planned(self) -> Decimal:
        """Planned or paid (the counted payments)."""
        return sum((p.amount for p in self.payments if p.state != PaymentState.ANNULE), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((p.paid_amount for p in self.payments if p.state == PaymentState.VERSE), ZERO)

    @property
    def to_plan(self) -> Decimal:
        return self.granted - self.planned

    @property
    def to_pay(self) -> Decimal:
        return self.granted - self.paid

    @property
    def complete(self) -> bool:
        return self.paid >= self.granted


def project_payments(project: Project) -> list[LinePayments]:
    """The dossier's lines with a granted amount, the agglomeration's first, each with its
    payments in date order. Two queries."""
    lines = list(
        project.funding_lines.filter(amount_granted__gt=0)
        .select_related("funder")
        .order_by("-funder__paid_by_agglomeration", "position", "pk")
    )
    by_line = {line.pk: LinePayments(line) for line in lines}
    for payment in Payment.objects.filter(funding_line__in=lines).order_by("planned_on", "pk"):
        by_line[payment.funding_line_id].payments.append(payment)
    return list(by_line.values())


# The payments list ---------------------------------------------------------------------------

DUE_CHOICES = [
    ("mois", "À verser ce mois-ci"),
    ("retard", "En retard (date prévue passée)"),
    ("a_venir", "À venir"),
]


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


class PaymentFilter(django_filters.FilterSet):
    """The payments' own filters; the dossier filters (`annee`, `pilier`, `porteur`, `financeur`…)
    are read by `projects.filters.parse_filters`, as on the dossier list."""

    etat = django_filters.MultipleChoiceFilter(
        field_name="state", label="État", choices=PaymentState.choices, widget=forms.CheckboxSelectMultiple
    )
    echeance = django_filters.ChoiceFilter(
        label="Échéance", choices=DUE_CHOICES, method="filter_due", empty_label="Toutes"
    )
    agglomeration = django_filters.BooleanFilter(
        field_name="funding_line__funder__paid_by_agglomeration",
        label="Financeur",
        widget=forms.Select(
            choices=[("", "Tous"), ("true", "Versés par l'agglomération"), ("false", "Autres financeurs")]
        ),
    )

    class Meta:
        model = Payment
        fields: list[str] = []

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        planned = queryset.filter(state=PaymentState.PREVU)
        if value == "mois":
            first, last = month_bounds(today)
            return planned.filter(planned_on__range=(first, last))
        if value == "retard":
            return planned.filter(planned_on__lt=today)
        if value == "a_venir":
            return planned.filter(planned_on__gte=today)
        return queryset


def payments_in_scope(scope: DossierScope) -> QuerySet[Payment]:
    """The payments of the dossiers in `scope`; with funders or natures in the scope, those of
    such lines only (as the dossier list sums them)."""
    payments = Payment.objects.select_related(
        "funding_line__funder", "funding_line__project__operator", "funding_line__project__year"
    )
    if scope.without("financeur", "nature"):
        payments = payments.filter(funding_line__project__in=scope.without("financeur", "nature").projects())
    if scope.financeur:
        payments = payments.filter(funding_line__funder__code__in=scope.financeur)
    if scope.nature:
        payments = payments.filter(funding_line__nature__in=scope.nature)
    return payments.order_by("planned_on", "funding_line__project__reference", "pk")


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    planned: Decimal  # counted payments: planned or paid amounts
    paid: Decimal
    to_pay: Decimal  # planned and not yet paid


def payment_totals(payments: QuerySet[Payment]) -> PaymentTotals:
    """One query."""
    row = payments.order_by().aggregate(
        count=Count("pk"),
        paid=Sum("paid_amount", filter=Q(state=PaymentState.VERSE)),
        to_pay=Sum("planned_amount", filter=Q(state=PaymentState.PREVU)),
    )
    paid, to_pay = row["paid"] or ZERO, row["to_pay"] or ZERO
    return PaymentTotals(row["count"] or 0, paid + to_pay, paid, to_pay)


HEADER = [
    "annee",
    "numero_dossier",
    "intitule",
    "porteur",
    "financeur",
    "montant_accorde",
    "nature_versement",
    "date_prevue",
    "montant_prevu",
    "etat",
    "date_versement",
    "montant_verse",
]
AMOUNTS = {5, 8, 11}


def export_rows(payments: QuerySet[Payment]):
    for p in payments.iterator(chunk_size=2000):
        line, project = p.funding_line, p.funding_line.project
        yield [
            project.year_id,
            project.reference,
            project.title,
            project.operator.name,
            line.funder.label,
            line.amount_granted,
            p.get_kind_display(),
            p.planned_on,
            p.planned_amount,
            p.get_state_display(),
            p.paid_on,
            p.paid_amount,
        ]


def write_csv(payments: QuerySet[Payment]) -> bytes:
    """Semicolons, UTF-8 with BOM (Excel in French), amounts with two decimals after a point,
    dates as AAAA-MM-JJ, no cell that starts a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in export_rows(payments):
        writer.writerow(
            [
                ""
                if value is None
                else plain_amount(value)
                if index in AMOUNTS
                else value.isoformat()
                if isinstance(value, date)
                else formula_safe(str(value))
                for index, value in enumerate(row)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(payments: QuerySet[Payment]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Versements")
    sheet.append(HEADER)
    for row in export_rows(payments):
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, str):
                value = formula_safe(value)
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
            if index in AMOUNTS and value is not None:
                cell.number_format = XLSX_AMOUNT_FORMAT
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

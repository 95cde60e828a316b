"""Writes of the payments (versements): a funding line's schedule, a payment added, recorded as
paid, or cancelled, and the rule that closes a dossier (`solde`) once the agglomeration paid all
it granted.

Rules, checked here for every path (the dossier's page, the admin is read-only):
- a payment belongs to a line with a granted amount, on a programmed dossier (`programme`,
  `justifie`; a `solde` dossier is closed);
- the payments of a line that count (planned or paid, not cancelled) never add up to more than its
  granted amount (the line is locked while checking, so two agents cannot both pass);
- no payment is planned or made before the dossier's decision, nor recorded as paid in the future;
- a payment recorded as paid or cancelled is not changed again; each write checks the payment's
  version (a form opened before another user's change is refused, never saved over it).
Every write is in the payments' audit trail with its author."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from contratville.formatting import euros
from projects.models import FundingLine, Project, Status

from .models import Payment, PaymentKind, PaymentState

CENT = Decimal("0.01")
PAYABLE = (Status.PROGRAMME, Status.JUSTIFIE)


class StalePaymentError(ValidationError):
    def __init__(self):
        super().__init__(
            "Ce versement a été modifié par quelqu'un d'autre entre-temps : rechargez la page, "
            "rien n'a été enregistré.",
            code="stale",
        )


def _french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _locked_line(line_id: int) -> FundingLine:
    return FundingLine.objects.select_for_update().select_related("project", "funder").get(pk=line_id)


def committed(line: FundingLine, *, excluding: int | None = None) -> Decimal:
    """What the line's counted payments (planned or paid) add up to."""
    payments = Payment.objects.counted().filter(funding_line=line)
    if excluding is not None:
        payments = payments.exclude(pk=excluding)
    total = Decimal("0.00")
    for payment in payments.only("state", "planned_amount", "paid_amount"):
        total += payment.amount
    return total


def _check_line(line: FundingLine) -> None:
    project = line.project
    if project.status not in PAYABLE:
        raise ValidationError(
            "Le dossier %(reference)s est au statut « %(status)s » : on ne verse que sur un dossier "
            "programmé ou justifié.",
            params={"reference": project.reference, "status": project.get_status_display()},
            code="not_payable",
        )
    if not line.amount_granted:
        raise ValidationError(
            "La ligne « %(funder)s » n'a pas de montant accordé : rien à verser.",
            params={"funder": line.funder.label},
            code="nothing_granted",
        )


def _check_date(project: Project, day: date, field: str, what: str) -> None:
    if project.decision_date and day < project.decision_date:
        raise ValidationError(
            {
                field: ValidationError(
                    f"{what} ({_french_date(day)}) ne peut précéder la décision du dossier "
                    f"({_french_date(project.decision_date)}).",
                    code="before_decision",
                )
            }
        )


def _check_total(line: FundingLine, amount: Decimal, field: str, *, excluding: int | None = None) -> None:
    already = committed(line, excluding=excluding)
    if already + amount > line.amount_granted:
        left = line.amount_granted - already
        raise ValidationError(
            {
                field: ValidationError(
                    f"{euros(amount)} dépasserait le montant accordé par « {line.funder.label} » "
                    f"({euros(line.amount_granted)}) : {euros(already)} sont déjà prévus ou versés, "
                    f"il reste {euros(left)}.",
                    code="above_granted",
                )
            }
        )


def _positive(amount: Decimal, field: str) -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError(
            {field: ValidationError("Le montant doit être supérieur à 0.", code="not_positive")}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field: ValidationError("Au plus deux décimales (centimes).", code="cents")})
    return amount


def _save(payment: Payment, user, reason: str) -> Payment:
    payment._history_user = user
    payment._change_reason = reason
    payment.full_clean(exclude=["funding_line", "created_by"])
    payment.save()
    return payment


@transaction.atomic
def payment_add(
    *, line: FundingLine, user, kind: str, planned_on: date, planned_amount: Decimal, comment: str = ""
) -> Payment:
    """A planned payment of `line`; ValidationError (by field) when it breaks a rule."""
    line = _locked_line(line.pk)
    _check_line(line)
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": ValidationError("Nature de versement inconnue.", code="kind")})
    _positive(planned_amount, "planned_amount")
    _check_date(line.project, planned_on, "planned_on", "La date prévue")
    _check_total(line, planned_amount, "planned_amount")
    payment = Payment(
        funding_line=line,
        kind=kind,
        planned_on=planned_on,
        planned_amount=planned_amount,
        comment=comment.strip(),
        created_by=user,
    )
    return _save(payment, user, f"Versement prévu : {PaymentKind(kind).label}, {euros(planned_amount)}")


@dataclass(frozen=True)
class Schedule:
    """An advance of `advance_percent` % of the granted amount on `advance_on`, the balance on
    `balance_on`; 100 % (or no percentage): the whole amount at once."""

    advance_on: date
    balance_on: date | None = None
    advance_percent: Decimal | None = None


@transaction.atomic
def schedule_create(*, line: FundingLine, user, schedule: Schedule) -> list[Payment]:
    """The line's schedule: an advance and the balance (or one payment of the whole amount). A
    line that already has counted payments gets no second schedule: its payments are added one
    by one."""
    line = _locked_line(line.pk)
    _check_line(line)
    if Payment.objects.counted().filter(funding_line=line).exists():
        raise ValidationError(
            "Cette ligne a déjà des versements prévus ou effectués : ajoutez les suivants un par un.",
            code="already_scheduled",
        )
    percent = schedule.advance_percent
    if percent is not None and not (Decimal("0") < percent <= Decimal("100")):
        raise ValidationError(
            {"advance_percent": ValidationError("Le pourcentage de l'avance est compris entre 1 et 100.")}
        )
    granted = line.amount_granted
    if percent is None or percent == 100:
        return [payment_add(line=line, user=user, kind=PaymentKind.SOLDE, planned_on=schedule.advance_on,
                            planned_amount=granted)]  # fmt: skip
    if schedule.balance_on is None:
        raise ValidationError({"balance_on": ValidationError("Indiquez la date prévue du solde.")})
    if schedule.balance_on < schedule.advance_on:
        raise ValidationError({"balance_on": ValidationError("Le solde ne peut précéder l'avance.")})
    advance = (granted * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    payments = [
        payment_add(line=line, user=user, kind=PaymentKind.AVANCE, planned_on=schedule.advance_on,
                    planned_amount=advance),
    ]  # fmt: skip
    if granted - advance > 0:
        payments.append(
            payment_add(line=line, user=user, kind=PaymentKind.SOLDE, planned_on=schedule.balance_on,
                        planned_amount=granted - advance)
        )  # fmt: skip
    return payments


def _locked_payment(payment: Payment, version: int) -> Payment:
    locked = Payment.objects.select_for_update().select_related("funding_line").get(pk=payment.pk)
    if locked.version != version:
        raise StalePaymentError()
    if locked.state != PaymentState.PREVU:
        raise ValidationError(
            "Ce versement est déjà %(state)s : il ne change plus.",
            params={"state": locked.get_state_display().lower()},
            code="closed",
        )
    return locked


@transaction.atomic
def payment_record(*, payment: Payment, user, paid_on: date, paid_amount: Decimal, version: int) -> Payment:
    """The planned `payment` made: its actual date and amount (which may differ from the plan,
    within the granted amount)."""
    line = _locked_line(payment.funding_line_id)
    locked = _locked_payment(payment, version)
    _check_line(line)
    _positive(paid_amount, "paid_amount")
    _check_date(line.project, paid_on, "paid_on", "La date du versement")
    if paid_on > timezone.localdate():
        raise ValidationError(
            {"paid_on": ValidationError(f"La date du versement ({_french_date(paid_on)}) est dans le futur.")}
        )
    _check_total(line, paid_amount, "paid_amount", excluding=locked.pk)
    locked.state = PaymentState.VERSE
    locked.paid_on, locked.paid_amount = paid_on, paid_amount
    locked.version += 1
    return _save(locked, user, f"Versement effectué le {_french_date(paid_on)} : {euros(paid_amount)}")


@transaction.atomic
def payment_cancel(*, payment: Payment, user, version: int, comment: str = "") -> Payment:
    """A planned payment that will not be made (its amount may be planned again)."""
    locked = _locked_payment(payment, version)
    locked.state = PaymentState.ANNULE
    locked.comment = (comment.strip() or locked.comment)[:255]
    locked.version += 1
    return _save(locked, user, "Versement annulé" + (f" : {comment.strip()}" if comment.strip() else ""))


# The rule that closes a dossier --------------------------------------------------------------


def unpaid_lines(project: Project) -> list[tuple[FundingLine, Decimal]]:
    """The agglomeration's lines of `project` not paid in full, with what was paid of each."""
    lines = list(
        project.funding_lines.filter(funder__paid_by_agglomeration=True, amount_granted__gt=0)
        .select_related("funder")
        .annotate(paid=Sum("payments__paid_amount", filter=Q(payments__state=PaymentState.VERSE)))
    )
    return [(line, line.paid or Decimal("0.00")) for line in lines if (line.paid or 0) < line.amount_granted]


def require_payments_complete(project: Project) -> None:
    """The guard of the move to `solde` (registered by funding.apps): every line the
    agglomeration pays is paid in full."""
    missing = unpaid_lines(project)
    if missing:
        detail = " ; ".join(
            f"« {line.funder.label} » : {euros(paid)} versés sur {euros(line.amount_granted)}"
            for line, paid in missing
        )
        raise ValidationError(
            f"Le dossier ne peut être soldé : ses versements ne sont pas complets ({detail}).",
            code="payments_incomplete",
        )

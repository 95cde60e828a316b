"""Writes of the funders' envelopes (funding.Envelope).

An envelope is set (created or changed) or removed by the direction, in the browser or the
admin, and by `load_demo`. A funder's split by pilier never exceeds its whole envelope, and a
split needs the whole envelope first: what is left to engage is always read against one
amount. Every write is recorded in the audit trail with its author."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from contratville.formatting import euros
from projects.models import Funder, Pillar, ProgrammeYear

from .models import Envelope

SET_REASON = "Enveloppe fixée"
REMOVE_REASON = "Enveloppe supprimée"


def _check_split(*, funder: Funder, year: int, pillar: Pillar | None, amount: Decimal) -> None:
    """The pilier parts of a funder's envelope add up to no more than its whole envelope."""
    # Without the model's ordering: it joins the pilier, which PostgreSQL cannot lock.
    envelopes = Envelope.objects.select_for_update().filter(funder=funder, year_id=year).order_by()
    total = envelopes.totals().values_list("amount", flat=True).first()
    parts = envelopes.filter(pillar__isnull=False)
    if pillar is None:
        split = parts.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if split > amount:
            raise ValidationError(
                {
                    "amount": f"L'enveloppe de {funder.label} ne peut pas être inférieure à sa répartition "
                    f"par pilier ({euros(split)})."
                }
            )
        return
    if total is None:
        raise ValidationError(
            {
                "pillar": f"Fixez d'abord l'enveloppe entière de {funder.label} pour {year}, puis sa répartition."
            }
        )
    split = (parts.exclude(pillar=pillar).aggregate(s=Sum("amount"))["s"] or Decimal("0")) + amount
    if split > total:
        raise ValidationError(
            {
                "amount": f"La répartition par pilier ({euros(split)}) dépasserait l'enveloppe de "
                f"{funder.label} ({euros(total)})."
            }
        )


@transaction.atomic
def envelope_set(
    *,
    funder: Funder,
    year: int,
    amount: Decimal,
    pillar: Pillar | None = None,
    comment: str = "",
    user: AbstractBaseUser | None = None,
) -> Envelope:
    """Create or change `funder`'s envelope of `year` (for `pillar` when given). The programme
    year is created when missing. Raises ValidationError (French messages) on a negative amount
    or a split above the whole envelope; nothing is written then. A write that changes nothing
    records nothing."""
    if amount < 0:
        raise ValidationError({"amount": "Le montant de l'enveloppe doit être positif ou nul."})
    programme_year, _created = ProgrammeYear.objects.get_or_create(year=year)
    _check_split(funder=funder, year=year, pillar=pillar, amount=amount)
    envelope = (
        Envelope.objects.select_for_update()
        .filter(funder=funder, year=programme_year, pillar=pillar)
        .order_by("pk")
        .first()
    )
    if envelope is None:
        envelope = Envelope(funder=funder, year=programme_year, pillar=pillar)
    elif envelope.amount == amount and envelope.comment == comment.strip():
        return envelope
    envelope.amount = amount
    envelope.comment = comment.strip()
    envelope.full_clean()
    envelope._history_user = user
    envelope._change_reason = SET_REASON
    envelope.save()
    return envelope


@transaction.atomic
def envelope_remove(*, envelope: Envelope, user: AbstractBaseUser | None = None) -> None:
    """Remove an envelope; a whole envelope goes with its split by pilier."""
    if envelope.pillar_id is None:
        for part in Envelope.objects.filter(
            funder=envelope.funder_id, year=envelope.year_id, pillar__isnull=False
        ):
            part._history_user = user
            part._change_reason = REMOVE_REASON
            part.delete()
    envelope._history_user = user
    envelope._change_reason = REMOVE_REASON
    envelope.delete()

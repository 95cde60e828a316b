"""Writes of a porteur: its page's edit form.

Two agents may open the same porteur's form: the save checks, with the porteur's row locked, that
it has not changed since the form was opened (its `updated_at`), and refuses otherwise
(`StaleOperatorError`), so that nobody overwrites changes they have not seen. The change is
recorded in the porteur's audit trail with the user."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import Operator

EDITABLE_FIELDS = (
    "name",
    "kind",
    "siret",
    "rna",
    "commune",
    "email",
    "phone",
    "address_line",
    "address_complement",
    "postal_code",
    "city",
    "representative_name",
    "representative_title",
)


class StaleOperatorError(Exception):
    """The porteur changed since the form was opened."""

    def __init__(self, operator: Operator):
        self.operator = operator
        super().__init__(
            f"Le porteur « {operator.name} » a été modifié par quelqu'un d'autre depuis l'ouverture "
            "du formulaire : rien n'a été enregistré."
        )


@transaction.atomic
def operator_update(
    *, operator_id: int, values: dict, seen_updated_at: datetime, user: AbstractBaseUser
) -> Operator:
    """Write `values` (a subset of EDITABLE_FIELDS) to the porteur, if it is still as seen."""
    operator = Operator.objects.select_for_update().get(pk=operator_id)
    if operator.updated_at != seen_updated_at:
        raise StaleOperatorError(operator)
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable field of a porteur")
        setattr(operator, name, value)
    operator.full_clean()
    operator._history_user = user
    operator._change_reason = "Modification du porteur"
    operator.save()
    return operator

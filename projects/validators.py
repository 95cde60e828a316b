"""Validators for French identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share SIREN 356000000 and follow their own checksum rule.
LA_POSTE_SIREN = "356000000"


def normalize_siret(value: str) -> str:
    """Remove the spaces (ordinary, no-break, narrow no-break) people type in a SIRET."""
    return re.sub(r"[\s\u00a0\u202f\u2009.]", "", value or "")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siret_error(value: str) -> str | None:
    """The French message explaining why `value` is not a SIRET, or None when it is one."""
    siret = normalize_siret(value)
    if not siret.isdigit() or len(siret) != 14:
        return f"le SIRET « {value} » doit comporter 14 chiffres"
    if siret.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in siret) % 5 == 0:
            return None
    elif luhn_is_valid(siret):
        return None
    return f"le SIRET « {value} » n'est pas valide (clé de contrôle incorrecte)"


def validate_siret(value: str) -> None:
    message = siret_error(value)
    if message:
        raise ValidationError(
            _("%(message)s"), params={"message": message[0].upper() + message[1:] + "."}, code="invalid_siret"
        )


RNA = re.compile(r"W\d{9}")


def normalize_rna(value: str) -> str:
    """An RNA number as typed: spaces out, the `W` in capitals."""
    return re.sub(r"[\s\u00a0\u202f\u2009]", "", value or "").upper()


def validate_rna(value: str) -> None:
    """The association's number in the Répertoire national des associations: `W` + 9 digits."""
    if value and not RNA.fullmatch(value):
        raise ValidationError(
            _("Le numéro RNA « %(value)s » doit être un W suivi de 9 chiffres (exemple : W623001234)."),
            params={"value": value},
            code="rna",
        )

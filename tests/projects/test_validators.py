"""SIRET: 14 digits, spaces allowed, Luhn key (La Poste's own rule)."""

import pytest
from django.core.exceptions import ValidationError

from projects.validators import luhn_is_valid, normalize_siret, siret_error, validate_siret

VALID = "73282932000074"  # a published SIRET whose Luhn key is right


def test_a_valid_siret_passes():
    assert siret_error(VALID) is None
    validate_siret(VALID)


@pytest.mark.parametrize(
    "typed", ["732 829 320 00074", "732\u00a0829\u00a0320\u00a000074", "732\u202f829 320 00074"]
)
def test_spaces_people_type_are_allowed(typed):
    assert normalize_siret(typed) == VALID
    assert siret_error(typed) is None


def test_a_wrong_key_is_refused_with_its_value():
    message = siret_error("73282932000075")
    assert message == "le SIRET « 73282932000075 » n'est pas valide (clé de contrôle incorrecte)"
    with pytest.raises(ValidationError) as info:
        validate_siret("73282932000075")
    assert "clé de contrôle" in info.value.messages[0]


@pytest.mark.parametrize("value", ["7328293200007", "732829320000744", "7328293200007A", ""])
def test_a_siret_must_have_14_digits(value):
    assert siret_error(value) == f"le SIRET « {value} » doit comporter 14 chiffres"


def test_la_poste_establishments_follow_their_own_rule():
    # La Poste's SIRETs are valid when their digits add up to a multiple of 5.
    assert siret_error("35600000000001") is None
    assert not luhn_is_valid("35600000000001")
    assert siret_error("35600000000002") is not None

"""Amounts in French words (courriers.words), as letters and conventions write them."""

from decimal import Decimal

import pytest

from courriers.words import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("7500", "sept mille cinq cents euros"),
        ("7500.40", "sept mille cinq cents euros et quarante centimes"),
        ("1", "un euro"),
        ("1.01", "un euro et un centime"),
        ("0.50", "cinquante centimes"),
        ("0", "zéro euro"),
        ("80", "quatre-vingts euros"),
        ("81", "quatre-vingt-un euros"),
        ("71", "soixante et onze euros"),
        ("200", "deux cents euros"),
        ("201", "deux cent un euros"),
        ("1000", "mille euros"),
        ("1234.40", "mille deux cent trente-quatre euros et quarante centimes"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("2500000", "deux millions cinq cent mille euros"),
        ("3000000000", "trois milliards d'euros"),
    ],
)
def test_an_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_cents_are_rounded_half_up():
    assert amount_in_words(Decimal("10.005")) == "dix euros et un centime"


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))

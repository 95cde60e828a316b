"""How the application writes numbers (contratville/formatting.py): French digits with no-break
spaces, rounded half-up once, and the plain strings of the JSON and the import format."""

from decimal import Decimal

import pytest

from contratville import formatting

NBSP = "\u00a0"


def test_an_amount_in_euros_with_cents():
    assert formatting.euros(Decimal("6931463")) == f"6{NBSP}931{NBSP}463,00{NBSP}€"
    assert formatting.euros(Decimal("92921.5")) == f"92{NBSP}921,50{NBSP}€"
    assert formatting.euros(0) == f"0,00{NBSP}€"
    assert formatting.euros(Decimal("-1234.5")) == f"-1{NBSP}234,50{NBSP}€"


def test_an_amount_in_whole_euros_rounds_half_up():
    assert formatting.euros(Decimal("64300.5"), 0) == f"64{NBSP}301{NBSP}€"
    assert formatting.euros(Decimal("64300.49"), 0) == f"64{NBSP}300{NBSP}€"
    assert formatting.euros(Decimal("2.5"), 0) == f"3{NBSP}€"  # not the banker's 2


def test_cents_round_half_up_and_no_minus_zero():
    assert formatting.euros(Decimal("0.005")) == f"0,01{NBSP}€"
    assert formatting.euros(Decimal("0.125")) == f"0,13{NBSP}€"
    assert formatting.euros(Decimal("-0.001")) == f"0,00{NBSP}€"


def test_no_amount_is_a_dash():
    assert formatting.euros(None) == "—"
    assert formatting.percent_text(None) == "—"
    assert formatting.percent_prose(None) == "—"


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        ("1", "75", "1.3"),
        ("2", "75", "2.7"),
        ("1", "8", "12.5"),
        ("0.0625", "1", "6.3"),  # 6.25 → 6.3, not the banker's 6.2
        ("49", "400", "12.3"),
        ("4734927", "6931463", "68.3"),
        ("5", "0", "0.0"),
    ],
)
def test_a_share_is_computed_from_decimals_and_rounded_half_up_once(part, whole, expected):
    share = formatting.percent(Decimal(part), Decimal(whole))
    assert share == Decimal(expected) and str(share) == expected


def test_a_share_in_whole_percents():
    assert formatting.percent(Decimal("85.5"), 100, decimals=0) == Decimal("86")
    assert str(formatting.percent(Decimal("1"), 0, decimals=0)) == "0"


def test_a_share_as_text():
    assert formatting.percent_text(Decimal("68.3")) == f"68,3{NBSP}%"
    assert formatting.percent_text(Decimal("100.0")) == f"100,0{NBSP}%"
    assert formatting.percent_text(Decimal("1234.5")) == f"1{NBSP}234,5{NBSP}%"
    assert formatting.percent_text(Decimal("72"), 0) == f"72{NBSP}%"


def test_a_share_in_running_text_drops_a_zero_tenth():
    assert formatting.percent_prose(Decimal("72.0")) == f"72{NBSP}%"
    assert formatting.percent_prose(Decimal("59.6")) == f"59,6{NBSP}%"


def test_french_numbers():
    assert formatting.number(7) == "7"
    assert formatting.number(1234) == f"1{NBSP}234"
    assert formatting.number(1234567) == f"1{NBSP}234{NBSP}567"
    assert formatting.number(-1234) == f"-1{NBSP}234"
    assert formatting.number(Decimal("10000"), 2) == f"10{NBSP}000,00"
    assert formatting.number(Decimal("1234.5"), 2, separator=" ") == "1 234,50"
    assert formatting.number(Decimal("3.3"), 1) == "3,3"


def test_the_plain_strings_of_the_json_and_the_import_format():
    assert formatting.plain_amount(Decimal("6931463")) == "6931463.00"
    assert formatting.plain_amount(Decimal("0.125")) == "0.13"
    assert formatting.plain_amount(0) == "0.00"
    assert formatting.plain_amount(Decimal("-60391")) == "-60391.00"
    assert formatting.plain_percent(Decimal("59.6")) == "59.6"
    assert formatting.plain_percent(Decimal("72")) == "72.0"
    assert formatting.plain_percent(Decimal("6.25")) == "6.3"
    assert formatting.plain_percent(None) is None

"""The templates' filters write amounts and shares as contratville/formatting.py does."""

from decimal import Decimal

from django.template import Context, Template

NBSP = "\u00a0"


def render(template: str, **context) -> str:
    return Template("{% load money bilan_tags comites_tags %}" + template).render(Context(context))


def test_amounts():
    assert render("{{ a|euros }}", a=Decimal("4734927.00")) == f"4{NBSP}734{NBSP}927,00{NBSP}€"
    assert render("{{ a|euros:0 }}", a=Decimal("64300.50")) == f"64{NBSP}301{NBSP}€"
    assert render("{{ a|euros0 }}", a=Decimal("6931463.00")) == f"6{NBSP}931{NBSP}463{NBSP}€"
    assert render("{{ a|euros }}", a=None) == "—"


def test_shares():
    assert render("{{ p|percent_fr }}", p=Decimal("68.3")) == f"68,3{NBSP}%"
    assert render("{{ p|share }} / {{ q|share }}", p=Decimal("72.0"), q=Decimal("59.6")) == (
        f"72{NBSP}% / 59,6{NBSP}%"
    )
    assert render("{{ p|number_fr:1 }}", p=Decimal("68.3")) == "68,3"


def test_counts_and_typed_amounts():
    assert render("{{ n|number_fr }}", n=1234) == f"1{NBSP}234"
    assert render("{{ a|amount_input }}", a=Decimal("10000")) == f"10{NBSP}000,00"
    assert render("[{{ a|amount_input }}]", a=None) == "[]"

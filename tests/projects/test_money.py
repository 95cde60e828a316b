"""Amounts read the French way."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from projects.templatetags.money import format_euros


def test_amounts_read_the_french_way():
    with translation.override("fr"):
        assert (
            format_euros(Decimal("6931463")).replace("\u202f", " ").replace("\u00a0", " ") == "6 931 463,00 €"
        )
        assert format_euros(Decimal("64300.5"), 0).replace("\u00a0", " ").replace("\u202f", " ") == "64 301 €"
        assert format_euros(None) == "—"


def test_the_template_filters():
    with translation.override("fr"):
        html = Template("{% load money %}{{ a|euros }} / {{ p|percent_fr }}").render(
            Context({"a": Decimal("4734927.00"), "p": Decimal("68.3")})
        )
    assert html.replace("\u00a0", " ").replace("\u202f", " ") == "4 734 927,00 € / 68,3 %"

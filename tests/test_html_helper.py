"""tests/html.py finds elements by what they are, whatever the order of their attributes."""

import pytest

from tests.html import element, elements

PAGE = """
<form method="get">
  <input type="checkbox" name="statut" value="depose" id="id_statut_1" checked>
  <input id="id_statut_2" checked value="programme" name="statut" type="checkbox" />
  <input type="checkbox" name="statut" value="refuse" id="id_statut_3">
  <select name="quartier"><option value="">Tous</option><option selected value="QP062008">Mont-Liébaut</option></select>
  <input type="text" inputmode="decimal" name="budget" value="12 345,60">
</form>
<a class="button button--secondary" href="/projets/">
  Réinitialiser
</a>
<td class="num" id="total">835,06\u00a0€</td>
<script id="donnees" type="application/json">{"a": "x  y"}</script>
"""


def test_the_attributes_match_in_any_order():
    assert [box["value"] for box in elements(PAGE, "input", name="statut", checked=True)] == [
        "depose",
        "programme",
    ]
    assert element(PAGE, "input", value="refuse").checked is False
    assert element(PAGE, "input", inputmode="decimal")["value"] == "12 345,60"


def test_an_element_is_found_by_its_classes_and_its_text():
    link = element(PAGE, "a", class_="button--secondary button", text="Réinitialiser")
    assert link["href"] == "/projets/"
    assert elements(PAGE, "a", class_="button--primary") == []
    assert element(PAGE, "td", id="total").text == "835,06\u00a0€"  # the non-breaking space is kept


def test_elements_inside_an_element():
    select = element(PAGE, "select", name="quartier")
    assert [(option["value"], option.text) for option in select.elements("option", selected=True)] == [
        ("QP062008", "Mont-Liébaut")
    ]


def test_a_script_keeps_its_content_as_written():
    assert element(PAGE, "script", id="donnees").content == '{"a": "x  y"}'


def test_element_wants_exactly_one():
    with pytest.raises(AssertionError, match="3 <input>"):
        element(PAGE, "input", name="statut")
    with pytest.raises(AssertionError, match="0 <input>"):
        element(PAGE, "input", name="absent")

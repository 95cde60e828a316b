"""The letters' text: Markdown and merge fields from one list, checked on save, escaped when
rendered (courriers.merge)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from courriers import merge


def test_an_unknown_merge_field_is_refused_and_named():
    with pytest.raises(ValidationError) as error:
        merge.validate_text("Bonjour {{ porteur.nom }}, votre {{ porteur.telephone }}")
    assert error.value.messages == [
        "Champ de fusion inconnu : « {{ porteur.telephone }} ». Choisissez un champ dans la liste des champs de fusion."
    ]


def test_template_tags_and_unclosed_fields_are_refused():
    errors = merge.check_text("{% if porteur %}oui{% endif %} {{ porteur.nom")
    assert any("{% if porteur %}" in e and "n'est pas permis" in e for e in errors)
    assert any("n'est pas fermé" in e for e in errors)


def test_a_block_field_is_refused_in_a_subject():
    assert merge.check_text("Objet {{ financements.tableau }}", subject=True) == [
        "Le champ « {{ financements.tableau }} » ne peut pas figurer dans l'objet d'un courrier."
    ]
    assert merge.check_text("{{ financements.tableau }}") == []


def test_every_listed_field_is_accepted():
    assert merge.check_text(" ".join("{{ " + f.key + " }}" for f in merge.MERGE_FIELDS)) == []


def test_values_are_escaped_and_markdown_has_no_raw_html_link_or_image():
    html = merge.render_body(
        "**Objet** : {{ dossier.intitule }}\n<b>brut</b> [lien](https://exemple.org) ![x](https://exemple.org/x.png)",
        {"dossier.intitule": "<script>alert(1)</script> & co"},
    )
    assert "<strong>Objet</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<b>" not in html and "<a " not in html and "<img" not in html
    assert "&lt;b&gt;brut&lt;/b&gt;" in html


def test_a_block_field_takes_its_paragraphs_place():
    html = merge.render_body(
        "Montants :\n\n{{ financements.tableau }}\n\nFin.",
        {"financements.tableau": mark_safe("<table></table>")},
    )
    assert html == "<p>Montants :</p>\n<table></table>\n<p>Fin.</p>\n"


def test_a_subject_is_plain_text_on_one_line():
    subject = merge.render_plain(
        "Dossier  {{ dossier.numero }} — {{ porteur.adresse }}",
        {"dossier.numero": "PV-1", "porteur.adresse": mark_safe("Asso &amp; co<br>62400 BÉTHUNE")},
    )
    assert subject == "Dossier PV-1 — Asso & co, 62400 BÉTHUNE"

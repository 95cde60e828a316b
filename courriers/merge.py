"""The letters' text: a small Markdown (paragraphs, **gras**, *italique*, lists, headings, line
breaks) with merge fields `{{ porteur.nom }}` from one list, `MERGE_FIELDS`.

A template is checked when it is saved: a merge field that is not in the list, a Django tag
(`{% … %}`) or an unclosed `{{` is refused with a French message that names it. Rendering never
interprets anything else: Markdown's raw HTML, links and images are off, and every merged value
is escaped, so that a porteur's name or a dossier's title cannot put markup into a letter."""

import html
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@dataclass(frozen=True)
class MergeField:
    key: str
    label: str
    # A block (a table, the logo) stands in a paragraph of its own; not in a subject.
    block: bool = False


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("porteur.nom", "Nom du porteur"),
    MergeField("porteur.adresse", "Adresse postale du porteur (sur plusieurs lignes)"),
    MergeField("porteur.representant", "Représentant du porteur (ex. Mme Claire Martin)"),
    MergeField("porteur.qualite_representant", "Qualité du représentant (ex. Présidente)"),
    MergeField("porteur.courriel", "Courriel de contact du porteur"),
    MergeField("dossier.numero", "Numéro du dossier"),
    MergeField("dossier.intitule", "Intitulé de l'action"),
    MergeField("dossier.annee", "Année de programmation"),
    MergeField("dossier.pilier", "Pilier du Contrat de Ville"),
    MergeField("dossier.quartiers", "Quartiers concernés"),
    MergeField("dossier.montant_demande", "Montant total demandé, en chiffres"),
    MergeField("financements.tableau", "Tableau des montants accordés par chaque financeur", block=True),
    MergeField("montant.total", "Montant total accordé, en chiffres (ex. 7 500,00 €)"),
    MergeField("montant.total_en_lettres", "Montant total accordé, en lettres"),
    MergeField("comite.date", "Date du comité"),
    MergeField("decision.date", "Date de la décision"),
    MergeField("signataire.nom", "Nom du signataire"),
    MergeField("signataire.qualite", "Qualité du signataire"),
    MergeField("agglomeration.nom", "Nom de l'agglomération"),
    MergeField("agglomeration.logo", "Logo de l'agglomération", block=True),
    MergeField("courrier.date", "Date du courrier"),
)
FIELDS_BY_KEY = {field.key: field for field in MERGE_FIELDS}

FIELD_PATTERN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
TAG_PATTERN = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# Private-use characters stand for the merge fields while Markdown is rendered.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def _field_label(raw: str) -> str:
    return "{{ " + " ".join(raw.split()) + " }}"


def check_text(text: str, *, subject: bool = False) -> list[str]:
    """The French messages of what is wrong in `text` (empty when it is fine)."""
    errors = []
    for match in TAG_PATTERN.finditer(text):
        errors.append(
            f"« {match.group(0)[:40]} » n'est pas permis : seuls les champs de fusion de la liste, "
            "écrits {{ champ }}, le sont."
        )
    for match in FIELD_PATTERN.finditer(text):
        key = match.group(1).strip()
        field = FIELDS_BY_KEY.get(key)
        if field is None:
            errors.append(
                f"Champ de fusion inconnu : « {_field_label(match.group(1))} ». "
                "Choisissez un champ dans la liste des champs de fusion."
            )
        elif subject and field.block:
            errors.append(f"Le champ « {_field_label(key)} » ne peut pas figurer dans l'objet d'un courrier.")
    rest = FIELD_PATTERN.sub("", text)
    if "{{" in rest or "}}" in rest:
        errors.append("Un champ de fusion n'est pas fermé : écrivez-le {{ champ }}, avec ses deux accolades.")
    return errors


def validate_text(text: str, *, subject: bool = False) -> None:
    errors = check_text(text, subject=subject)
    if errors:
        raise ValidationError(errors, code="merge_field")


def used_fields(text: str) -> list[str]:
    return [match.group(1).strip() for match in FIELD_PATTERN.finditer(text)]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    # No link, no image: a letter refers to nothing outside itself.
    md.disable(["link", "image", "autolink", "html_inline", "html_block", "reference"])
    return md


_MD = _markdown()


def _value_html(value) -> str:
    """A merged value as HTML: escaped unless already safe (the table, the logo, the address)."""
    if value is None:
        return ""
    return str(conditional_escape(value))


def render_body(text: str, values: dict[str, object]) -> SafeString:
    """The letter's text as HTML, its merge fields replaced by `values` (escaped)."""
    fields: list[str] = []

    def placeholder(match: re.Match) -> str:
        fields.append(match.group(1).strip())
        return f"{_OPEN}{len(fields) - 1}{_CLOSE}"

    html = _MD.render(FIELD_PATTERN.sub(placeholder, text))

    # A block field alone in its paragraph takes the paragraph's place.
    def block(match: re.Match) -> str:
        key = fields[int(match.group(1))]
        field = FIELDS_BY_KEY.get(key)
        if field is not None and field.block:
            return _value_html(values.get(key))
        return match.group(0)

    html = re.sub(f"<p>{_OPEN}(\\d+){_CLOSE}</p>", block, html)
    html = _PLACEHOLDER.sub(lambda m: _value_html(values.get(fields[int(m.group(1))])), html)
    return mark_safe(html)  # noqa: S308 - Markdown without raw HTML, every value escaped


def render_plain(text: str, values: dict[str, object]) -> str:
    """A one-line text (the subject) with its merge fields replaced, as plain text."""

    def value(match: re.Match) -> str:
        field = FIELDS_BY_KEY.get(match.group(1).strip())
        if field is None or field.block:
            return ""
        raw = values.get(field.key)
        if isinstance(raw, SafeString):  # an address: its lines on one line
            raw = html.unescape(strip_tags(raw.replace("<br>", ", ")))
        return " ".join(str(raw or "").split())

    return " ".join(FIELD_PATTERN.sub(value, text).split())

"""What the dossier's page tells the user after a save that did not go through: every error in
the order of the page, and, when the dossier changed since the form was opened, what the user
typed compared with what is now stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.formats import date_format

from projects.models import FcsAxis, FundingLine, Project

from .dossier import ProjectForm
from .formsets import kept_and_removed


def error_summary(form: forms.Form, formsets: dict[str, BaseInlineFormSet]) -> list[dict[str, str]]:
    """Every error of the page in the order of the page, each with a link to its field, for
    the summary at the top. `formsets` maps a row's French name ("Ligne de financement") to
    its formset."""
    items = []

    def add(bound_form, row_label: str):
        for error in bound_form.non_field_errors():
            items.append(
                {"href": "#project-form", "text": f"{row_label} : {error}" if row_label else str(error)}
            )
        for name in bound_form.fields:
            if name in bound_form.errors:
                field = bound_form[name]
                label = f"{row_label}, {field.label}" if row_label else field.label
                for error in field.errors:
                    items.append({"href": f"#{field.auto_id}", "text": f"{label} : {error}"})

    add(form, "")
    for row_name, formset in formsets.items():
        for error in formset.non_form_errors():
            items.append({"href": f"#{formset.prefix}-section", "text": f"{row_name} : {error}"})
        for number, row_form in enumerate(formset.forms, start=1):
            add(row_form, f"{row_name} {number}")
    return items


# What the user typed compared with the dossier as now stored, after a refused stale save.


@dataclass(frozen=True)
class Difference:
    """A field whose stored value differs from the user's. Amounts stay Decimal (`is_money`)."""

    label: str
    current: object
    yours: object
    is_money: bool = False


@dataclass(frozen=True)
class StaleComparison:
    differences: list[Difference]
    # The funding lines as stored, when they differ from the user's (else None).
    current_lines: list[FundingLine] | None
    your_lines: list[FundingLine]


def _shown(value) -> object:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return value
    if isinstance(value, date):
        return date_format(value, "j F Y")
    return str(value)


def _line_signature(line: FundingLine) -> tuple:
    nature = line.nature or line.funder.default_nature
    granted = None if line.amount_granted is None else Decimal(line.amount_granted)
    return (line.funder_id, nature, Decimal(line.amount_requested), granted)


def stale_differences(form: ProjectForm, lines: BaseInlineFormSet, current: Project) -> StaleComparison:
    """The fields of the validated `form` whose value differs from the `current` dossier
    (loaded with its operator, pilier, thématique, quartiers and funding lines), and the stored
    lines when they differ from the user's. Fields that did not validate are left out; the
    stored lines are all shown when the user's did not validate."""
    data = _Cleaned(form.cleaned_data)
    differences = []

    def compare(label, current_value, your_value, *, is_money=False, same=None):
        if _Cleaned.MISSING in (current_value, your_value) or same is _Cleaned.MISSING:
            return
        equal = same if same is not None else current_value == your_value
        if not equal:
            if is_money:  # Decimal or None, for the template's euros
                differences.append(Difference(label, current_value, your_value, is_money=True))
            else:
                differences.append(Difference(label, _shown(current_value), _shown(your_value)))

    compare("Année de programmation", current.year_id, data["year"])
    for name in ("reference", "title", "description", "partner"):
        compare(form.fields[name].label, getattr(current, name), data[name])
    if "operator" in form.errors or any(
        name in form.errors for name in ("new_operator_name", "new_operator_kind")
    ):
        your_operator = _Cleaned.MISSING
    else:
        your_operator = data["operator"] or form.new_operator
    compare(
        "Porteur",
        current.operator.name,
        your_operator.name if your_operator not in (None, _Cleaned.MISSING) else your_operator,
        same=_Cleaned.MISSING
        if your_operator is _Cleaned.MISSING
        else (your_operator is not None and your_operator.pk == current.operator_id),
    )
    for name, label in (("pillar", "Pilier"), ("theme", "Thématique")):
        yours = data[name]
        same = _Cleaned.MISSING if yours is _Cleaned.MISSING else yours.pk == getattr(current, f"{name}_id")
        compare(label, getattr(current, name), yours, same=same)
    current_axis, your_axis = current.fcs_axis, data["fcs_axis"]
    if your_axis is not _Cleaned.MISSING:
        compare(
            form.fields["fcs_axis"].label,
            FcsAxis(current_axis).label if current_axis else None,
            FcsAxis(your_axis).label if your_axis else None,
            same=current_axis == your_axis,
        )
    if data["quartiers"] is not _Cleaned.MISSING:
        current_quartiers = sorted(quartier.code for quartier in current.quartiers.all())
        your_quartiers = sorted(quartier.code for quartier in data["quartiers"])
        compare("Quartiers concernés", ", ".join(current_quartiers), ", ".join(your_quartiers))
    compare(form.fields["budget"].label, current.budget, data["budget"], is_money=True)
    for name in ("start_date", "end_date", "expected_results", "achieved_results"):
        compare(form.fields[name].label, getattr(current, name), data[name])

    stored = list(current.funding_lines.all())
    kept = kept_and_removed(lines)[0] if lines.is_valid() else None
    current_lines = None
    if kept is None or [_line_signature(line) for line in stored] != [_line_signature(line) for line in kept]:
        current_lines = stored
    return StaleComparison(differences=differences, current_lines=current_lines, your_lines=kept or [])


class _Cleaned:
    """A form's cleaned data, where a field that did not validate reads MISSING."""

    MISSING = object()

    def __init__(self, cleaned_data: dict):
        self.cleaned_data = cleaned_data

    def __getitem__(self, name):
        return self.cleaned_data.get(name, self.MISSING)

"""The dossier form: the dossier's fields, a new operator on the spot, its funding lines and
its indicators. Amounts are typed the French way ("1 234,56") and shown back that way.

An edit form carries the version of the dossier it was opened with; when the save finds the
dossier changed since, `stale_differences` compares what the user typed with what is now
stored."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.formats import date_format

from contratville import formatting
from contratville.tabular import parse_amount
from projects.models import (
    FcsAxis,
    Funder,
    FundingLine,
    Indicator,
    Nature,
    Operator,
    OperatorKind,
    Pillar,
    Project,
    Quartier,
    Theme,
)
from projects.validators import normalize_siret, validate_siret

FUNDING_LINES_PREFIX = "lignes"
INDICATORS_PREFIX = "indicateurs"


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed as a French reader writes it: "1 234,56", "1234.56", "1 234 €".

    Parsed with the import's own `parse_amount`, so that the form and the import accept the
    same amounts and refuse them with the same French messages."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Saisissez un nombre, par exemple 1 234,56."}

    def __init__(self, *, noun: str = "montant", **kwargs):
        self.noun = noun
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int):
            return Decimal(value)
        text = str(value).strip()
        if not text:
            return None
        try:
            amount = parse_amount(text)
        except ValueError as error:
            message = str(error).replace("montant", self.noun)
            raise ValidationError(message[0].upper() + message[1:] + ".", code="invalid") from error
        return amount

    def prepare_value(self, value):
        # A typed value that did not validate is shown back as typed.
        if isinstance(value, Decimal | int):
            # "1 234,50" with plain spaces: what a French user types, read back by parse_amount.
            return formatting.number(value, self.decimal_places, separator=" ")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "input--amount"})
        return attrs


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ThemeSelect(forms.Select):
    """Each thématique carries its pilier, so that the script can narrow the list."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pillar"] = str(instance.pillar_id)
        return option


class QuartierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Quartier) -> str:
        communes = ", ".join(commune.name for commune in obj.communes.all())
        label = f"{obj.code} — {obj.name}"
        return f"{label} ({communes})" if communes else label


class ProjectForm(forms.ModelForm):
    """The dossier itself. The year is a number (its ProgrammeYear is created if missing); the
    operator is an existing one or a new one described by the `new_operator_*` fields."""

    required_css_class = "required"
    error_css_class = "field--error"

    year = forms.IntegerField(
        label="Année de programmation",
        min_value=2000,
        max_value=2100,
        help_text="L'année est créée si elle n'existe pas encore.",
    )
    operator = forms.ModelChoiceField(
        label="Porteur existant",
        queryset=Operator.objects.order_by("name"),
        required=False,
        empty_label="Choisissez un porteur",
    )
    new_operator_name = forms.CharField(label="Nom du nouveau porteur", max_length=255, required=False)
    new_operator_kind = forms.ChoiceField(
        label="Type du nouveau porteur",
        choices=[("", "Choisissez un type"), *OperatorKind.choices],
        required=False,
    )
    new_operator_siret = forms.CharField(
        label="SIRET du nouveau porteur",
        max_length=32,
        required=False,
        help_text="14 chiffres, espaces acceptés ; facultatif.",
    )
    pillar = forms.ModelChoiceField(
        label="Pilier", queryset=Pillar.objects.all(), empty_label="Choisissez un pilier"
    )
    theme = forms.ModelChoiceField(
        label="Thématique",
        queryset=Theme.objects.all(),
        empty_label="Choisissez une thématique",
        widget=ThemeSelect,
        help_text="Une thématique du pilier choisi.",
    )
    quartiers = QuartierChoiceField(
        label="Quartiers concernés",
        queryset=Quartier.objects.prefetch_related("communes"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    budget = FrenchDecimalField(
        label="Budget total de l'action (€)", required=False, help_text="Par exemple 12 500 ou 1 234,56."
    )
    fcs_axis = forms.ChoiceField(
        label="Axe du Fonds de cohésion sociale",
        choices=[("", "Aucun (hors FCS)"), *FcsAxis.choices],
        required=False,
    )
    # The dossier's version when the form was opened (edit only): a save is refused if it changed.
    version = forms.IntegerField(
        label="Version du dossier",
        widget=forms.HiddenInput,
        min_value=1,
        required=False,
        error_messages={
            "required": "Le formulaire ne dit pas quelle version du dossier il modifie : rechargez la page.",
            "invalid": "Le formulaire ne dit pas quelle version du dossier il modifie : rechargez la page.",
            "min_value": "Le formulaire ne dit pas quelle version du dossier il modifie : rechargez la page.",
        },
    )

    # The form's sections, in order; the template shows each as a fieldset.
    SECTIONS = {
        "identification": ["year", "reference", "title"],
        "description": ["description"],
        "operator": ["operator"],
        "new_operator": ["new_operator_name", "new_operator_kind", "new_operator_siret"],
        "partner": ["partner"],
        "classification": ["pillar", "theme", "fcs_axis"],
        "quartiers": ["quartiers"],
        "budget": ["budget", "start_date", "end_date"],
        "results": ["expected_results", "achieved_results"],
    }

    class Meta:
        model = Project
        fields = [
            "reference",
            "title",
            "description",
            "operator",
            "partner",
            "pillar",
            "theme",
            "quartiers",
            "budget",
            "start_date",
            "end_date",
            "expected_results",
            "achieved_results",
            "fcs_axis",
        ]
        labels = {"reference": "Numéro de dossier", "title": "Intitulé de l'action"}
        help_texts = {"reference": "Unique dans l'année, par exemple 2024-012."}
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
            "achieved_results": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.new_operator: Operator | None = None
        self.fields["year"].initial = self.instance.year_id if self.instance.pk else timezone.localdate().year
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        for name in ("reference", "title"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        # Fields are shown in the order of SECTIONS.
        self.order_fields([name for names in self.SECTIONS.values() for name in names])

    @property
    def sections(self) -> dict[str, list[forms.BoundField]]:
        return {key: [self[name] for name in names] for key, names in self.SECTIONS.items()}

    def clean_new_operator_siret(self) -> str:
        raw = self.cleaned_data["new_operator_siret"].strip()
        if not raw:
            return ""
        validate_siret(raw)
        siret = normalize_siret(raw)
        existing = Operator.objects.filter(siret=siret).first()
        if existing is not None:
            raise ValidationError(
                f"Le porteur « {existing.name} » a déjà ce SIRET : choisissez-le dans la liste des porteurs existants."
            )
        return siret

    def clean(self):
        cleaned = super().clean()
        self._clean_operator(cleaned)
        year, reference = cleaned.get("year"), cleaned.get("reference")
        if year and reference:
            duplicates = Project.objects.filter(year_id=year, reference=reference).exclude(
                pk=self.instance.pk
            )
            if duplicates.exists():
                self.add_error(
                    "reference", f"Le numéro de dossier « {reference} » existe déjà pour l'année {year}."
                )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin précède la date de début.")
        return cleaned

    def _clean_operator(self, cleaned: dict) -> None:
        operator = cleaned.get("operator")
        name = (cleaned.get("new_operator_name") or "").strip()
        kind = cleaned.get("new_operator_kind")
        siret = cleaned.get("new_operator_siret", "")
        wants_new = bool(
            name or kind or siret or self.data.get(self.add_prefix("new_operator_siret"), "").strip()
        )
        if operator is not None and wants_new:
            self.add_error(
                "operator",
                "Choisissez un porteur existant ou décrivez un nouveau porteur, pas les deux.",
            )
            return
        if operator is None and not wants_new:
            if "operator" not in self.errors:
                self.add_error(
                    "operator",
                    "Choisissez un porteur existant, ou saisissez le nom et le type d'un nouveau porteur.",
                )
            return
        if operator is not None:
            return
        if not name:
            self.add_error("new_operator_name", "Saisissez le nom du nouveau porteur.")
        if not kind:
            self.add_error("new_operator_kind", "Précisez le type du nouveau porteur.")
        if name and kind and "new_operator_siret" not in self.errors:
            self.new_operator = Operator(name=name, kind=kind, siret=siret)


class FundingLineForm(forms.ModelForm):
    error_css_class = "field--error"

    nature = forms.ChoiceField(
        label="Nature",
        choices=[("", "Par défaut du financeur"), *Nature.choices],
        required=False,
    )
    amount_requested = FrenchDecimalField(label="Montant demandé (€)")
    amount_granted = FrenchDecimalField(label="Montant accordé (€)", required=False)

    class Meta:
        model = FundingLine
        fields = ["funder", "nature", "amount_requested", "amount_granted"]
        labels = {"funder": "Financeur"}

    def __init__(self, *args, funders: list[Funder] | None = None, granted_frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if granted_frozen:
            # Shown, not editable; the service refuses the change anyway (project_save_with_lines).
            self.fields["amount_granted"].disabled = True
        funder_field = self.fields["funder"]
        funder_field.empty_label = "Choisissez un financeur"
        if funders is not None:
            # One query for the whole formset rather than one per line.
            funder_field.choices = [("", funder_field.empty_label)] + [(f.pk, f.label) for f in funders]
            default_nature = {f.pk: f.default_nature for f in funders}
            # A line that follows its funder's default shows "Par défaut du financeur", so that
            # changing the funder changes the nature too.
            if self.instance.pk and self.instance.nature == default_nature.get(self.instance.funder_id):
                self.initial["nature"] = ""


class VersionedInlineFormSet(BaseInlineFormSet):
    """Rows of a dossier's form: a row whose object was deleted since the form was opened (by
    another person, or an import that replaced the lines) is named as such."""

    gone_message = (
        "Cette ligne n'existe plus : elle a été supprimée ou remplacée depuis l'ouverture du formulaire."
    )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_field = form.fields[self._pk_field.name]
        pk_field.label = "Ligne enregistrée"
        pk_field.error_messages = {**pk_field.error_messages, "invalid_choice": self.gone_message}


class BaseFundingLineFormSet(VersionedInlineFormSet):
    """The funding lines; with `granted_frozen` (a programmed dossier edited by a user who may
    not decide, see `granted_amounts_frozen`) the granted amounts are shown, not editable."""

    def __init__(self, *args, granted_frozen: bool = False, **kwargs):
        self.granted_frozen = granted_frozen
        super().__init__(*args, **kwargs)
        used = Q(funding_lines__project=self.instance) if self.instance.pk else Q(pk__in=[])
        self.funders = list(
            Funder.objects.filter(Q(is_active=True) | used).distinct().order_by("order", "code")
        )

    def get_queryset(self):
        return super().get_queryset().select_related("funder")

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "funders": self.funders,
            "granted_frozen": self.granted_frozen,
        }


FundingLineFormSet = inlineformset_factory(
    Project,
    FundingLine,
    form=FundingLineForm,
    formset=BaseFundingLineFormSet,
    extra=3,
    can_delete=True,
)


class IndicatorForm(forms.ModelForm):
    error_css_class = "field--error"

    expected = FrenchDecimalField(label="Valeur attendue", required=False, noun="nombre")
    achieved = FrenchDecimalField(label="Valeur atteinte", required=False, noun="nombre")

    class Meta:
        model = Indicator
        fields = ["label", "unit", "expected", "achieved"]
        labels = {"label": "Indicateur", "unit": "Unité"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("expected", "achieved"):
            self.fields[name].widget.attrs["class"] = "input--number"


class BaseIndicatorFormSet(VersionedInlineFormSet):
    gone_message = "Cet indicateur n'existe plus : il a été supprimé depuis l'ouverture du formulaire."


IndicatorFormSet = inlineformset_factory(
    Project,
    Indicator,
    form=IndicatorForm,
    formset=BaseIndicatorFormSet,
    extra=1,
    can_delete=True,
)


def kept_and_removed(formset: BaseInlineFormSet) -> tuple[list, list]:
    """The formset's objects to keep (existing or newly typed) and the existing ones to delete,
    in the order of the form. Call after `is_valid()`.

    An existing object the user left as it was is marked `unchanged`, so that the service
    writes it (and records it in the audit trail) only if its position changes."""
    kept, removed = [], []
    for form in formset.forms:
        if form.cleaned_data.get("DELETE"):
            if form.instance.pk:
                removed.append(form.instance)
            continue
        if form.instance.pk or form.has_changed():
            instance = form.save(commit=False)
            instance.unchanged = bool(instance.pk) and not form.has_changed()
            kept.append(instance)
    return kept, removed


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
        your_operator.name if your_operator else your_operator,
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

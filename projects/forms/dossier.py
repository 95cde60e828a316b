"""The dossier itself: its fields, an existing porteur or a new one described on the spot."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import FcsAxis, Operator, OperatorKind, Pillar, Project, Quartier, Theme
from projects.validators import normalize_siret, validate_siret

from .fields import DateInput, FrenchDecimalField, QuartierChoiceField, ThemeSelect


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

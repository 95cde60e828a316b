"""The dossier's rows: its funding lines and its indicators, each row naming itself when its
object was deleted since the form was opened."""

from django import forms
from django.db.models import Q
from django.forms.models import BaseInlineFormSet, inlineformset_factory

from projects.models import Funder, FundingLine, Indicator, Nature, Project

from .fields import FrenchDecimalField

FUNDING_LINES_PREFIX = "lignes"
INDICATORS_PREFIX = "indicateurs"


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

"""Forms of the bilan's narrative parts: the year's texts and its focus actions."""

from django import forms
from django.forms import modelformset_factory

from projects.models import ProgrammeYear, Project

TEXT_FIELDS = list(ProgrammeYear.NARRATIVE_FIELDS)
TEXT_HELP = {
    "context_text": "Encadré de la partie « programmation » : le contexte de l'année.",
    "pillars_text": "Commentaire sous la répartition par pilier (facultatif).",
    "associations_text": "Encadré de la partie « opérateurs associatifs » (facultatif).",
    "pnru_text": "Partie « Programme National de Renouvellement Urbain ».",
    "organisation_text": "Partie « le service Politique de la Ville » : équipe et référents.",
    "perspectives_text": "Partie « Perspectives ».",
    "opinions_text": "Avis des communes et des conseils citoyens. Vide : le bilan indique "
    "« Aucun avis enregistré pour cette année. »",
}


class BilanTextsForm(forms.ModelForm):
    """The year's narrative parts. A blank line starts a new paragraph."""

    class Meta:
        model = ProgrammeYear
        fields = TEXT_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in TEXT_FIELDS}
        help_texts = TEXT_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The template prints each help text with the id "<field id>-aide".
        for name in self.fields:
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-aide"


class FocusActionForm(forms.ModelForm):
    """One focus action's texts, its rank, and whether it stays in the bilan."""

    remove = forms.BooleanField(label="Retirer cette action du bilan", required=False)

    class Meta:
        model = Project
        fields = ["focus_order", "partner", "focus_description", "focus_results", "focus_objective"]
        labels = {
            "focus_order": "Rang",
            "partner": "Intervenant (affiché après le porteur : « Porteur – Intervenant »)",
            "focus_description": "Description de l'action",
            "focus_results": "Résultats",
            "focus_objective": "Objectif recherché",
        }
        widgets = {
            "focus_order": forms.NumberInput(attrs={"min": 1, "max": 99}),
            "focus_description": forms.Textarea(attrs={"rows": 4}),
            "focus_results": forms.Textarea(attrs={"rows": 3}),
            "focus_objective": forms.Textarea(attrs={"rows": 3}),
        }


# More focus actions than a bilan holds: the management form's counts were written by hand.
MAX_FOCUS_FORMS = 100


class BaseFocusActionFormSet(forms.BaseModelFormSet):
    """The year's focus actions as they were when the page was opened: each form edits one of
    them, once. A form for another dossier (another year's, a made-up id, a form added by hand to
    the management counts) makes the whole formset invalid, with a French message, and nothing
    is saved: the page is to be reloaded."""

    STALE = (
        "Le formulaire des actions « focus » ne correspond pas aux actions de l'année "
        "(elles ont changé depuis l'ouverture de la page, ou le formulaire a été modifié) : "
        "rechargez la page."
    )

    def clean(self):
        super().clean()
        focus_ids = {project.pk for project in self.get_queryset()}
        seen = set()
        for form in self.forms:
            pk = form.instance.pk
            if pk is None or pk not in focus_ids or pk in seen:
                raise forms.ValidationError(self.STALE, code="stale")
            seen.add(pk)


FocusActionFormSet = modelformset_factory(
    Project,
    form=FocusActionForm,
    formset=BaseFocusActionFormSet,
    extra=0,
    can_delete=False,
    edit_only=True,
    max_num=MAX_FOCUS_FORMS,
    absolute_max=MAX_FOCUS_FORMS,
    validate_max=True,
)


class AddFocusForm(forms.Form):
    """Pick a programmed dossier of the year to tell at length in the bilan."""

    project = forms.ModelChoiceField(
        label="Ajouter une action « focus »",
        queryset=Project.objects.none(),
        required=False,
        empty_label="— aucune —",
        help_text="Un dossier programmé de l'année ; ses textes se rédigent après l'enregistrement.",
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        field.queryset = (
            Project.objects.for_year(year)
            .programmed()
            .filter(is_focus=False)
            .select_related("operator")
            .order_by("reference")
        )
        field.label_from_instance = lambda p: f"{p.reference} — {p.title} ({p.operator.name})"

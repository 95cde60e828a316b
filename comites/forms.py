"""Forms of the comités' pages. Amounts are typed the French way and parsed by the import's
own parser (contratville.tabular.parse_amount)."""

from django import forms

from .models import Opinion, SeanceKind


class SeanceForm(forms.Form):
    year = forms.IntegerField(label="Année de programmation", min_value=2000, max_value=2100)
    date = forms.DateField(label="Date de la séance", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="Type de comité", choices=SeanceKind.choices)
    title = forms.CharField(
        label="Intitulé",
        required=False,
        max_length=200,
        help_text="Facultatif : par défaut, le type de comité et sa date.",
    )


class AgendaAddForm(forms.Form):
    """Dossiers chosen in the list of those that may join the agenda, or typed by number."""

    dossiers = forms.TypedMultipleChoiceField(
        label="Dossiers à inscrire", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    numeros = forms.CharField(
        label="Ou numéros de dossier",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un numéro par ligne, ou séparés par des virgules ou des espaces.",
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = list(choices)

    def references(self) -> list[str]:
        raw = self.cleaned_data.get("numeros") or ""
        return [part for part in raw.replace(",", " ").replace(";", " ").split() if part]

    def clean(self):
        data = super().clean()
        if not data.get("dossiers") and not self.references():
            raise forms.ValidationError("Choisissez au moins un dossier, ou tapez son numéro.")
        return data


class ScenarioNameForm(forms.Form):
    name = forms.CharField(label="Nom du scénario", max_length=120)


class RenameForm(ScenarioNameForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


OPINION_CHOICES = Opinion.choices

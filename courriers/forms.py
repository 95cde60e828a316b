"""The letters' forms: a template's text (with the dossier its preview shows), a new kind of
letter, a dossier's letter and a séance's batch."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Project

from . import merge
from .models import Applicability, LetterTemplate

PREVIEW_DOSSIERS = 200


class VersionForm(forms.Form):
    """A template's text. The merge fields are checked on save (services.template_version_create)
    and here, so that the form shows each message under its field."""

    required_css_class = "required"
    error_css_class = "field--error"

    subject = forms.CharField(
        label=_("Objet"),
        max_length=255,
        help_text=_("Une ligne ; peut contenir des champs de fusion, par exemple {{ dossier.numero }}."),
        widget=forms.TextInput(attrs={"class": "letter-editor__subject", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Texte du courrier"),
        help_text=_(
            "Une ligne vide sépare deux paragraphes. **gras**, *italique*, « - » en début de ligne pour "
            "une liste, « ### » pour un intertitre. Les champs de fusion s'écrivent {{ champ }}."
        ),
        widget=forms.Textarea(attrs={"rows": 22, "class": "letter-editor__body", "data-letter-body": ""}),
    )
    signatory_name = forms.CharField(label=_("Signataire"), max_length=200, required=False)
    signatory_title = forms.CharField(label=_("Qualité du signataire"), max_length=200, required=False)

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        merge.validate_text(subject, subject=True)
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"]
        merge.validate_text(body)
        return body


class PreviewForm(forms.Form):
    """The dossier the preview shows: among those the template is written for."""

    dossier = forms.ModelChoiceField(
        label=_("Dossier de l'aperçu"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, template: LetterTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        choices = (
            Project.objects.filter(status__in=template.applicability.statuses())
            .select_related("operator")
            .order_by("-year_id", "reference")[:PREVIEW_DOSSIERS]
        )
        field = self.fields["dossier"]
        field.queryset = Project.objects.filter(pk__in=[p.pk for p in choices])
        field.choices = [(p.pk, f"{p.year_id} — {p.reference} — {p.operator.name}") for p in choices]
        field.widget.attrs["data-letter-dossier"] = ""


class TemplateCreateForm(VersionForm):
    kind = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "En minuscules et tirets, par exemple arrete-attributif ; utilisé par la commande « courrier »."
        ),
    )
    name = forms.CharField(label=_("Nom"), max_length=120, help_text=_("Par exemple : Arrêté attributif"))
    applies_to = forms.ChoiceField(label=_("Dossiers concernés"), choices=Applicability.choices)

    field_order = ["name", "kind", "applies_to", "subject", "body", "signatory_name", "signatory_title"]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind == "nouveau":  # /courriers/modeles/nouveau/ is the creation page
            raise forms.ValidationError("Le code « nouveau » est réservé : choisissez-en un autre.")
        if LetterTemplate.objects.filter(kind=kind).exists():
            raise forms.ValidationError(f"Un modèle porte déjà le code « {kind} ».")
        return kind


class LetterGenerateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Modèle"), queryset=LetterTemplate.objects.none(), empty_label=None
    )

    def __init__(self, *args, templates: list[LetterTemplate], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = LetterTemplate.objects.filter(pk__in=[t.pk for t in templates])


class BatchForm(forms.Form):
    """A séance's letters: which template for its programmed dossiers, which for its refused ones."""

    programmed_template = forms.ModelChoiceField(
        label=_("Dossiers programmés"),
        queryset=LetterTemplate.objects.filter(
            applies_to=Applicability.PROGRAMMED, versions__isnull=False
        ).distinct(),
        required=False,
        empty_label=_("Pas de courrier"),
    )
    refused_template = forms.ModelChoiceField(
        label=_("Dossiers refusés"),
        queryset=LetterTemplate.objects.filter(
            applies_to=Applicability.REFUSED, versions__isnull=False
        ).distinct(),
        required=False,
        empty_label=_("Pas de courrier"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in (
            ("programmed_template", LetterTemplate.NOTIFICATION),
            ("refused_template", LetterTemplate.REFUS),
        ):
            self.fields[name].initial = self.fields[name].queryset.filter(kind=kind).first()

    def clean(self):
        data = super().clean()
        if not data.get("programmed_template") and not data.get("refused_template"):
            raise forms.ValidationError(
                "Choisissez un modèle pour les dossiers programmés ou pour les dossiers refusés."
            )
        return data

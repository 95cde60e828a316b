"""The porteur's edit form (`/porteurs/<id>/modifier/`)."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Commune, Operator
from .services.operators import EDITABLE_FIELDS
from .validators import normalize_rna, normalize_siret, validate_rna, validate_siret


class OperatorForm(forms.ModelForm):
    """A porteur's identity and contact. `seen_updated_at` carries the porteur's state when the
    form was opened, for the no-lost-update check of `operator_update`."""

    required_css_class = "required"
    error_css_class = "field--error"

    seen_updated_at = forms.DateTimeField(widget=forms.HiddenInput)
    # Typed as people write it ("732 829 320 00074"), checked once the spaces are gone.
    siret = forms.CharField(
        label="SIRET", max_length=32, required=False, help_text="14 chiffres, facultatif."
    )

    # Typed with spaces ("W 623 001 234"): cleaned, then checked (`clean_rna`).
    rna = forms.CharField(
        label="Numéro RNA",
        max_length=32,
        required=False,
        help_text="Répertoire national des associations : W suivi de 9 chiffres, facultatif.",
    )

    class Meta:
        model = Operator
        # The fields the service writes (projects/services/operators.py), one list for both.
        fields = list(EDITABLE_FIELDS)
        labels = {"commune": "Commune du siège", "email": "Courriel de contact", "rna": "Numéro RNA"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}
        help_texts = {"email": "Adresse à laquelle les courriers du Contrat de Ville sont envoyés."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["seen_updated_at"] = self.instance.updated_at

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data.get("siret", ""))
        if siret:
            validate_siret(siret)
        if siret and Operator.objects.filter(siret=siret).exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Un autre porteur a déjà le SIRET {siret}.", code="duplicate")
        return siret

    def clean_rna(self) -> str:
        rna = normalize_rna(self.cleaned_data.get("rna", ""))
        validate_rna(rna)
        return rna

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

"""The compte-rendu's form: its header, one planned and one actual amount per account (French
amounts), and the achieved value of each of the dossier's indicators."""

from django import forms

from projects.forms import DateInput, FrenchDecimalField

from .compte_rendu_services import HEADER_FIELDS
from .models import CHARGE_ACCOUNTS, PRODUCT_ACCOUNTS, CompteRendu

BENEFICIARY_FIELDS = ("beneficiaries", "beneficiaries_qpv", "women", "men", *CompteRendu.AGE_FIELDS)


class CompteRenduForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CompteRendu
        fields = list(HEADER_FIELDS)
        labels = {"held_from": "Action menée du", "held_to": "Action menée jusqu'au"}
        widgets = {
            "received_on": DateInput,
            "held_from": DateInput,
            "held_to": DateInput,
            "assessment": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for name in BENEFICIARY_FIELDS:
            self.fields[name].widget.attrs.update({"min": "0", "inputmode": "numeric"})
        # The saved accounts, read once for the fields' initial values and the gaps shown.
        self.lines = {line.account: line for line in self.instance.lines.all()} if self.instance.pk else {}
        for account, label in {**CHARGE_ACCOUNTS, **PRODUCT_ACCOUNTS}.items():
            line = self.lines.get(account)
            self.fields[f"planned_{account}"] = FrenchDecimalField(
                label=f"{label} : prévu", required=False, initial=line.planned if line else None
            )
            self.fields[f"actual_{account}"] = FrenchDecimalField(
                label=f"{label} : réalisé", required=False, initial=line.actual if line else None
            )
        for indicator in self.indicators:
            self.fields[f"achieved_{indicator.pk}"] = FrenchDecimalField(
                label=f"{indicator.label} : valeur atteinte",
                required=False,
                noun="nombre",
                initial=indicator.achieved,
            )
        self.fields["version"].initial = self.instance.version if self.instance.pk else None

    @property
    def beneficiary_fields(self):
        return [self[name] for name in BENEFICIARY_FIELDS]

    @property
    def indicator_fields(self):
        return [(self[f"achieved_{indicator.pk}"], indicator) for indicator in self.indicators]

    def _post_clean(self):
        # The model's rules (beneficiaries within the total) are the service's full_clean.
        pass

    def accounts(self) -> dict:
        return {
            account: (self.cleaned_data.get(f"planned_{account}"), self.cleaned_data.get(f"actual_{account}"))
            for account in {**CHARGE_ACCOUNTS, **PRODUCT_ACCOUNTS}
        }

    def achieved(self) -> dict:
        return {
            indicator.pk: self.cleaned_data.get(f"achieved_{indicator.pk}") for indicator in self.indicators
        }

    def header(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in HEADER_FIELDS}

    def account_rows(self, accounts: dict):
        """(label, planned field, actual field, gap, gap %) for the template."""
        for account, label in accounts.items():
            line = self.lines.get(account)
            yield (
                label,
                self[f"planned_{account}"],
                self[f"actual_{account}"],
                line.gap if line else None,
                line.gap_percent if line else None,
            )

    def charge_rows(self):
        return list(self.account_rows(CHARGE_ACCOUNTS))

    def product_rows(self):
        return list(self.account_rows(PRODUCT_ACCOUNTS))


class CompteRenduImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des comptes-rendus (CSV ou XLSX)",
        help_text="Une ligne par dossier et par compte : annee, numero_dossier, compte, prevu, realise, "
        "et, sur une ligne du dossier, recu_le, bilan_qualitatif, beneficiaires, dont_qpv…",
    )

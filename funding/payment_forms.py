"""The payments' forms: a line's schedule, a payment added, recorded as paid, cancelled. They
read what was typed (French amounts and dates); the rules are the services' (payment_services)."""

from django import forms

from projects.forms import DateInput, FrenchDecimalField

from .models import PaymentKind


class ScheduleForm(forms.Form):
    advance_percent = FrenchDecimalField(
        label="Avance (% du montant accordé)",
        required=False,
        noun="pourcentage",
        help_text="Vide ou 100 : un seul versement du montant accordé.",
    )
    advance_on = forms.DateField(label="Date prévue de l'avance (ou du versement unique)", widget=DateInput)
    balance_on = forms.DateField(label="Date prévue du solde", required=False, widget=DateInput)


class PaymentAddForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=PaymentKind.choices, initial=PaymentKind.ACOMPTE)
    planned_on = forms.DateField(label="Date prévue", widget=DateInput)
    planned_amount = FrenchDecimalField(label="Montant prévu (€)")
    comment = forms.CharField(label="Commentaire", required=False, max_length=255)


class PaymentRecordForm(forms.Form):
    paid_on = forms.DateField(label="Date du versement", widget=DateInput)
    paid_amount = FrenchDecimalField(label="Montant versé (€)")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PaymentCancelForm(forms.Form):
    comment = forms.CharField(label="Motif", required=False, max_length=255)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

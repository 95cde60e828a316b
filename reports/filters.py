"""The dashboard's filter form. What the parameters accept, the scope they give and their
labels are the dossier list's own (`projects.filters`): only the layout differs (one year, the
long lists as `<select>`)."""

from django import forms

from projects.filters import ManyOptionsSelectMultiple, ParsedFilterForm, RepeatableTextInput, shown


class DashboardFilterForm(ParsedFilterForm):
    """The year and the filters, as a GET form whose address can be bookmarked. The lists use
    the dossier list's fast `<select>` (1,500 quartiers at national scale). The porteurs chosen
    are shown by the template, from the scope."""

    annee = shown("annee", forms.Select)
    pilier = shown("pilier", forms.CheckboxSelectMultiple)
    nature = shown("nature", forms.CheckboxSelectMultiple)
    type_porteur = shown("type_porteur", forms.CheckboxSelectMultiple)
    thematique = shown("thematique", ManyOptionsSelectMultiple)
    financeur = shown("financeur", ManyOptionsSelectMultiple)
    quartier = shown("quartier", ManyOptionsSelectMultiple)
    commune = shown("commune", ManyOptionsSelectMultiple)
    statut = shown("statut", forms.CheckboxSelectMultiple)
    q = shown("q", RepeatableTextInput, help_text="N° de dossier, intitulé ou porteur.")

    def __init__(self, parsed, reference, *, years: list[int], year: int):
        super().__init__(parsed, reference)
        self.years, self.year = years, year
        if not self.data.getlist("annee") or parsed.is_valid:
            # The year shown: the one asked, else the default one.
            self.data.setlist("annee", [str(year)])

    def prepare_display(self) -> None:
        super().prepare_display()
        self.set_choices("annee", [(str(y), str(y)) for y in sorted(self.years, reverse=True)])

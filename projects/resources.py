"""Import and export (django-import-export) of the reference data, the funders and the operators.

Column headers are French because the files are opened and filled in by the service's staff.
Related objects travel by their natural code (pillar code, code INSEE), never by database id,
so that a file exported from one database imports into another.
"""

from django.db.models import Count
from django.utils.encoding import force_str
from import_export import resources, widgets
from import_export.fields import Field

from .models import Commune, Funder, Nature, Operator, OperatorKind, Pillar, Quartier, QuartierKind, Theme


class PlainIntegerWidget(widgets.IntegerWidget):
    """An integer as digits only: the French number format would write id 12345 as "12 345",
    which a spreadsheet reads as text and a re-import as another value."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """Exports a choice's French label; imports either that label or the stored value."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip() if value is not None else ""
        if not text:
            return ""
        for stored, label in self.choices.choices:
            if text.casefold() in (stored.casefold(), force_str(label).casefold()):
                return stored
        allowed = ", ".join(f"« {label} »" for label in self.choices.labels)
        raise ValueError(f"« {text} » n'est pas une valeur possible ({allowed}).")

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        labels = dict(self.choices.choices)
        return force_str(labels.get(value, value))


class FrenchBooleanWidget(widgets.BooleanWidget):
    """Writes « oui » / « non » and reads them back, as well as 1/0 and true/false."""

    TRUE_VALUES = ["oui", "Oui", "OUI", *widgets.BooleanWidget.TRUE_VALUES]
    FALSE_VALUES = ["non", "Non", "NON", *widgets.BooleanWidget.FALSE_VALUES]


class OptionalCodeWidget(widgets.CharWidget):
    """An optional unique code: blank cells become NULL, so that uniqueness ignores them."""

    def clean(self, value, row=None, **kwargs):
        text = force_str(value).strip().upper() if value is not None else ""
        return text or None


class PillarResource(resources.ModelResource):
    code = Field(attribute="code", column_name="Code", widget=widgets.CharWidget())
    label = Field(attribute="label", column_name="Libellé", widget=widgets.CharWidget())
    short_label = Field(attribute="short_label", column_name="Libellé court", widget=widgets.CharWidget())
    order = Field(attribute="order", column_name="Ordre", widget=PlainIntegerWidget(), default=0)

    class Meta:
        model = Pillar
        fields = ("code", "label", "short_label", "order")
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True


class ThemeResource(resources.ModelResource):
    code = Field(attribute="code", column_name="Code", widget=widgets.CharWidget())
    label = Field(attribute="label", column_name="Libellé", widget=widgets.CharWidget())
    pillar = Field(
        attribute="pillar",
        column_name="Code du pilier",
        widget=widgets.ForeignKeyWidget(Pillar, field="code"),
    )
    order = Field(attribute="order", column_name="Ordre", widget=PlainIntegerWidget(), default=0)

    class Meta:
        model = Theme
        fields = ("code", "label", "pillar", "order")
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("pillar")


class CommuneResource(resources.ModelResource):
    insee_code = Field(attribute="insee_code", column_name="Code INSEE", widget=widgets.CharWidget())
    name = Field(attribute="name", column_name="Nom", widget=widgets.CharWidget())

    class Meta:
        model = Commune
        fields = ("insee_code", "name")
        import_id_fields = ("insee_code",)
        skip_unchanged = True
        clean_model_instances = True


class QuartierResource(resources.ModelResource):
    code_2015 = Field(attribute="code_2015", column_name="Code QPV 2015", widget=OptionalCodeWidget())
    code_2024 = Field(attribute="code_2024", column_name="Code QPV 2024", widget=OptionalCodeWidget())
    local_code = Field(attribute="local_code", column_name="Code local", widget=OptionalCodeWidget())
    name = Field(attribute="name", column_name="Nom", widget=widgets.CharWidget())
    kind = Field(attribute="kind", column_name="Type", widget=ChoiceWidget(QuartierKind))
    communes = Field(
        attribute="communes",
        column_name="Codes INSEE des communes",
        widget=widgets.ManyToManyWidget(Commune, field="insee_code", separator="|"),
    )

    class Meta:
        model = Quartier
        fields = ("code_2015", "code_2024", "local_code", "name", "kind", "communes")
        # All three code columns must be present; get_instance decides which one identifies the row.
        import_id_fields = ("code_2015", "code_2024", "local_code")
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().prefetch_related("communes")

    def get_instance(self, instance_loader, row):
        # A quartier de veille has no 2015 code and a new QPV may only have its 2024 code: the
        # first code the row carries identifies the quartier, in the order of the natural key.
        for name in ("code_2015", "code_2024", "local_code"):
            field = self.fields[name]
            if field.column_name not in row:
                continue
            code = field.clean(row)
            if code:
                return self.get_queryset().filter(**{name: code}).first()
        return None


class OperatorResource(resources.ModelResource):
    # SIRET is optional and the name is not unique: only the id identifies an operator. A row
    # with an empty id creates a new operator.
    id = Field(attribute="id", column_name="Identifiant", widget=PlainIntegerWidget())
    name = Field(attribute="name", column_name="Nom", widget=widgets.CharWidget())
    kind = Field(attribute="kind", column_name="Type de porteur", widget=ChoiceWidget(OperatorKind))
    siret = Field(attribute="siret", column_name="SIRET", widget=widgets.CharWidget())
    commune = Field(
        attribute="commune",
        column_name="Code INSEE de la commune du siège",
        widget=widgets.ForeignKeyWidget(Commune, field="insee_code"),
    )
    commune_name = Field(attribute="commune__name", column_name="Commune du siège", readonly=True)
    email = Field(attribute="email", column_name="Courriel", widget=widgets.CharWidget())
    phone = Field(attribute="phone", column_name="Téléphone", widget=widgets.CharWidget())
    project_count = Field(attribute="project_count", column_name="Nombre de dossiers", readonly=True)

    class Meta:
        model = Operator
        fields = (
            "id",
            "name",
            "kind",
            "siret",
            "commune",
            "commune_name",
            "email",
            "phone",
            "project_count",
        )
        export_order = fields
        import_id_fields = ("id",)
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("commune").annotate(project_count=Count("projects"))


class FunderResource(resources.ModelResource):
    code = Field(attribute="code", column_name="Code", widget=widgets.CharWidget())
    label = Field(attribute="label", column_name="Libellé", widget=widgets.CharWidget())
    short_label = Field(attribute="short_label", column_name="Libellé court", widget=widgets.CharWidget())
    default_nature = Field(
        attribute="default_nature", column_name="Nature par défaut", widget=ChoiceWidget(Nature)
    )
    order = Field(attribute="order", column_name="Ordre", widget=PlainIntegerWidget(), default=0)
    is_active = Field(attribute="is_active", column_name="Actif", widget=FrenchBooleanWidget(), default=True)

    class Meta:
        model = Funder
        fields = ("code", "label", "short_label", "default_nature", "order", "is_active")
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True

"""Import and export (django-import-export) of the funders, by their code."""

from import_export import resources, widgets
from import_export.fields import Field

from projects.resources import ChoiceWidget, FrenchBooleanWidget, PlainIntegerWidget

from .models import Funder, Nature


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

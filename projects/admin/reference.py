"""Administration of the reference data, the funders, the programme years and the porteurs."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from contratville import formatting
from contratville.admin_import import AdministratorImportExportModelAdmin
from contratville.admin_site import AuditedModelAdmin

from ..models import (
    Commune,
    Funder,
    Operator,
    Pillar,
    ProgrammeYear,
    Quartier,
    Theme,
)
from ..resources import (
    CommuneResource,
    FunderResource,
    OperatorResource,
    PillarResource,
    QuartierResource,
    ThemeResource,
)


def format_euros(amount: Decimal | None) -> str | None:
    """An amount as the bilan prints it, « 6 931 463,00 € » (contratville/formatting.py); None
    when there is no amount, so that the admin shows its own empty value."""
    if amount is None:
        return None
    return formatting.euros(amount)


@admin.register(Pillar)
class PillarAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [PillarResource]
    list_display = ["code", "label", "short_label", "order", "theme_count"]
    list_display_links = ["code", "label"]
    search_fields = ["code", "label", "short_label"]
    ordering = ["order", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(theme_count=Count("themes"))

    @admin.display(description=_("nombre de thématiques"), ordering="theme_count")
    def theme_count(self, obj):
        return obj.theme_count


@admin.register(Theme)
class ThemeAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [ThemeResource]
    list_display = ["code", "label", "pillar", "order"]
    list_display_links = ["code", "label"]
    list_filter = ["pillar"]
    list_select_related = ["pillar"]
    search_fields = ["code", "label"]
    ordering = ["order", "code"]


@admin.register(Commune)
class CommuneAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [CommuneResource]
    list_display = ["name", "insee_code"]
    search_fields = ["name", "insee_code"]
    ordering = ["name"]


@admin.register(Quartier)
class QuartierAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [QuartierResource]
    list_display = ["name", "kind", "code_2015", "code_2024", "local_code", "commune_names"]
    list_filter = ["kind", ("communes", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code_2015", "code_2024", "local_code", "communes__name"]
    autocomplete_fields = ["communes"]
    ordering = ["kind", "code_2015", "name"]
    fieldsets = [
        (None, {"fields": ["kind", "name"]}),
        (_("Codes"), {"fields": ["code_2015", "code_2024", "local_code"]}),
        (_("Communes"), {"fields": ["communes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("communes")

    @admin.display(description=_("communes"))
    def commune_names(self, obj):
        return ", ".join(commune.name for commune in obj.communes.all())


@admin.register(Operator)
class OperatorAdmin(AuditedModelAdmin, AdministratorImportExportModelAdmin):
    resource_classes = [OperatorResource]
    list_display = ["name", "kind", "siret", "commune", "project_count"]
    list_filter = ["kind", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
    ordering = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "siret", "commune"]}),
        (_("Contact"), {"fields": ["email", "phone"]}),
        (
            _("Adresse postale et représentant (courriers)"),
            {
                "fields": [
                    "address_line",
                    "address_complement",
                    ("postal_code", "city"),
                    ("representative_name", "representative_title"),
                ]
            },
        ),
        (_("Suivi"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=Count("projects"))

    @admin.display(description=_("nombre de dossiers"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(AuditedModelAdmin):
    list_display = [
        "year",
        "call_opens_on",
        "call_closes_on",
        "programming_committee_on",
        "steering_committee_on",
        "fcs_envelope_display",
        "project_count",
    ]
    autocomplete_fields = ["priority_themes"]
    ordering = ["-year"]
    # The direction writes them at /bilan/<année>/textes/.
    readonly_fields = list(ProgrammeYear.NARRATIVE_FIELDS)
    fieldsets = [
        (
            _("Appel à projets"),
            {
                "fields": [
                    "year",
                    "call_opens_on",
                    "call_closes_on",
                    "programming_committee_on",
                    "steering_committee_on",
                    "priority_themes",
                ]
            },
        ),
        (_("Paramètres du bilan"), {"fields": ["fcs_envelope"]}),
        (
            _("Textes du bilan"),
            {"fields": list(ProgrammeYear.NARRATIVE_FIELDS)},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The year is the primary key: editing it would create another year, not rename this one.
        if obj is not None:
            return ["year", *self.readonly_fields]
        return self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=Count("projects"))

    @admin.display(description=_("enveloppe FCS"), ordering="fcs_envelope")
    def fcs_envelope_display(self, obj):
        return format_euros(obj.fcs_envelope)

    @admin.display(description=_("nombre de dossiers"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count


@admin.register(Funder)
class FunderAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [FunderResource]
    list_display = ["label", "code", "short_label", "default_nature", "order", "is_active"]
    list_filter = ["is_active", "default_nature"]
    search_fields = ["code", "label", "short_label"]
    ordering = ["order", "code"]

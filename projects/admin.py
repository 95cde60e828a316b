"""Administration of the reference data, the programme years, the operators and their dossiers.

The funding side of a dossier or a year (funding lines, totals, fonds de concours) is added by
funding/admin.py, which re-registers ProjectAdmin and ProgrammeYearAdmin with it: this app must
not import funding.

The models with an audit trail (operators, programme years, dossiers, indicators) have the
"Historique" page of django-simple-history: who changed what, when, and why.
"""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Commune,
    Indicator,
    Operator,
    Pillar,
    ProgrammeYear,
    Project,
    Quartier,
    StatusChange,
    Theme,
)
from .resources import CommuneResource, OperatorResource, PillarResource, QuartierResource, ThemeResource
from .templatetags import money


def format_euros(amount: Decimal | None) -> str | None:
    """An amount as the bilan prints it, « 6 931 463,00 € », with the project's one formatter;
    None when there is no amount, so that the admin shows its own empty value."""
    if amount is None:
        return None
    return money.format_euros(amount)


@admin.register(Pillar)
class PillarAdmin(ImportExportModelAdmin):
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
class ThemeAdmin(ImportExportModelAdmin):
    resource_classes = [ThemeResource]
    list_display = ["code", "label", "pillar", "order"]
    list_display_links = ["code", "label"]
    list_filter = ["pillar"]
    list_select_related = ["pillar"]
    search_fields = ["code", "label"]
    ordering = ["order", "code"]


@admin.register(Commune)
class CommuneAdmin(ImportExportModelAdmin):
    resource_classes = [CommuneResource]
    list_display = ["name", "insee_code"]
    search_fields = ["name", "insee_code"]
    ordering = ["name"]


@admin.register(Quartier)
class QuartierAdmin(ImportExportModelAdmin):
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
class OperatorAdmin(SimpleHistoryAdmin, ImportExportModelAdmin):
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
        (_("Suivi"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_count=Count("projects"))

    @admin.display(description=_("nombre de dossiers"), ordering="project_count")
    def project_count(self, obj):
        return obj.project_count


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(SimpleHistoryAdmin):
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


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["label", "unit", "expected", "achieved"]


class StatusChangeInline(admin.TabularInline):
    """The dossier's history, read only: an audit trail is never edited by hand."""

    model = StatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "changed_by", "comment"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["year", "reference", "title", "operator", "pillar", "status"]
    list_display_links = ["reference", "title"]
    list_filter = ["year", "status", "pillar", "theme", "operator__kind", "quartiers"]
    list_select_related = ["year", "operator", "pillar"]
    search_fields = ["reference", "title", "operator__name"]
    autocomplete_fields = ["operator", "theme", "quartiers"]
    ordering = ["-year", "reference"]
    readonly_fields = ["created_at", "updated_at", "version"]
    inlines = [IndicatorInline, StatusChangeInline]
    history_list_display = ["status", "version"]
    fieldsets = [
        (
            _("Identification"),
            {
                "fields": [
                    "year",
                    "reference",
                    "title",
                    "description",
                    "status",
                    "decision_date",
                    "created_at",
                    "updated_at",
                    "version",
                ]
            },
        ),
        (_("Porteur et thématique"), {"fields": ["operator", "partner", "pillar", "theme"]}),
        (_("Quartiers"), {"fields": ["quartiers"]}),
        (_("Calendrier et budget"), {"fields": ["start_date", "end_date", "budget"]}),
        (_("Résultats"), {"fields": ["expected_results", "achieved_results"]}),
        (_("Fonds de cohésion sociale"), {"fields": ["fcs_axis"]}),
        (
            _("Focus du bilan"),
            {
                "classes": ["collapse"],
                "fields": [
                    "is_focus",
                    "focus_order",
                    "focus_description",
                    "focus_objective",
                    "focus_results",
                ],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # A status edited here is a workflow step like any other: it leaves a trace in the
        # history, in the admin's transaction.
        previous_status = form.initial.get("status", "") if change else ""
        if change:
            # A new version, read with the row locked: a dossier form opened before this save
            # can no longer overwrite it.
            obj.version = (
                Project.objects.select_for_update().values_list("version", flat=True).get(pk=obj.pk) + 1
            )
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            StatusChange.objects.create(
                project=obj,
                from_status=previous_status,
                to_status=obj.status,
                changed_by=request.user,
                comment=_("Modifié dans l'administration"),
            )


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["label", "project", "unit", "expected", "achieved"]
    list_filter = ["project__year", "project__pillar"]
    list_select_related = ["project"]
    search_fields = ["label", "project__reference", "project__title"]
    autocomplete_fields = ["project"]
    ordering = ["-project__year", "project__reference", "id"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Status changes can be recorded by hand (e.g. history from before the application) but,
    once recorded, they are evidence: they cannot be edited."""

    list_display = ["changed_at", "project", "from_status", "to_status", "changed_by", "comment"]
    list_filter = ["to_status", "project__year"]
    list_select_related = ["project", "changed_by"]
    search_fields = ["project__reference", "project__title", "comment"]
    autocomplete_fields = ["project", "changed_by"]
    ordering = ["-changed_at", "-id"]
    fields = ["project", "from_status", "to_status", "changed_by", "comment", "changed_at"]
    readonly_fields = ["changed_at"]

    def has_change_permission(self, request, obj=None):
        return False

"""Administration of the reference data, the programme years, the operators and their dossiers.

The funding side of a dossier or a year (funding lines, totals, fonds de concours) is added by
funding/admin.py, which re-registers ProjectAdmin and ProgrammeYearAdmin with it: this app must
not import funding.

The admin is for administrators only (contratville/admin_site.py). Even for them, the workflow
owns a dossier's status: the status, the decision date and the version are read-only here, and
so are the bilan's texts (a dossier's focus fields, a year's narrative), which the direction
writes at /bilan/<année>/textes/. A status moves only through the workflow service
(`project_change_status`, the dossier page's buttons); a dossier is created by the dossier form
or the import, which record its first status, never here. A form of this admin that writes a
dossier or one of its lines (`DossierVersionForm`) is saved only if the dossier is still at the
version the page was opened with, and gives it the next version, like the dossier form: neither
overwrites the other's changes unseen.

The models with an audit trail (operators, programme years, dossiers, indicators) have the
"Historique" page of django-simple-history, read only: who changed what, when, and why.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contratville.admin_import import AdministratorImportExportModelAdmin
from contratville.admin_site import AuditedModelAdmin

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


STALE_DOSSIER = _(
    "Ce dossier a été modifié (dossier, statut, ligne de financement ou indicateur) depuis "
    "l'ouverture de cette page : rien n'a été enregistré. Rechargez la page pour voir sa version "
    "actuelle, puis refaites vos changements."
)


class DossierVersionForm(forms.ModelForm):
    """An admin form that writes a dossier or one of its rows: saved only if the dossier is still
    at the version the page was opened with (`dossier_version`, hidden), read with the dossier's
    row locked until the admin's transaction ends; the admin then gives the dossier its next
    version (`bump_dossier_versions`)."""

    dossier_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def dossier(self) -> Project | None:
        """The saved dossier this form writes, None when it creates one."""
        if self.instance.pk is None:
            return None
        return self.instance if isinstance(self.instance, Project) else self.instance.project

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dossier = self.dossier()
        if dossier is not None:
            self.fields["dossier_version"].initial = dossier.version

    def clean(self):
        cleaned_data = super().clean()
        dossier = self.dossier()
        if dossier is not None:
            current = Project.objects.select_for_update().values_list("version", flat=True).get(pk=dossier.pk)
            if cleaned_data.get("dossier_version") != current:
                raise ValidationError(STALE_DOSSIER, code="stale")
        return cleaned_data


def bump_dossier_versions(project_ids) -> None:
    """The next version for each of these dossiers, whose funding lines or indicators the admin
    changed: a dossier form opened before can no longer be saved over the change."""
    Project.objects.filter(pk__in=set(project_ids)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


class DossierRowAdmin(AuditedModelAdmin):
    """The admin of a dossier's rows (indicators, funding lines): a row stays with its dossier,
    and writing or deleting one gives the dossier its next version."""

    form = DossierVersionForm

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("project")
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        bump_dossier_versions([obj.project_id])

    def delete_model(self, request, obj):
        project_id = obj.project_id
        super().delete_model(request, obj)
        bump_dossier_versions([project_id])

    def delete_queryset(self, request, queryset):
        project_ids = list(queryset.values_list("project_id", flat=True))
        super().delete_queryset(request, queryset)
        bump_dossier_versions(project_ids)


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
class ProjectAdmin(AuditedModelAdmin):
    list_display = ["year", "reference", "title", "operator", "pillar", "status"]
    list_display_links = ["reference", "title"]
    list_filter = ["year", "status", "pillar", "theme", "operator__kind", "quartiers"]
    list_select_related = ["year", "operator", "pillar"]
    search_fields = ["reference", "title", "operator__name"]
    autocomplete_fields = ["operator", "theme", "quartiers"]
    ordering = ["-year", "reference"]
    form = DossierVersionForm
    # The workflow's fields (project_change_status) and the bilan's focus texts (the direction's,
    # at /bilan/<année>/textes/).
    readonly_fields = [
        "status",
        "decision_date",
        "created_at",
        "updated_at",
        "version",
        "is_focus",
        "focus_order",
        "focus_description",
        "focus_objective",
        "focus_results",
    ]
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
                    "dossier_version",
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

    def has_add_permission(self, request):
        # A dossier starts as a brouillon with its first status change and its funding plan:
        # the dossier form (/projets/nouveau/) or the import create it.
        return False

    def save_model(self, request, obj, form, change):
        # The form checked the version with the row locked (DossierVersionForm); this save,
        # funding lines and indicators included, is the dossier's next version.
        obj.version = form.cleaned_data["dossier_version"] + 1
        super().save_model(request, obj, form, change)


@admin.register(Indicator)
class IndicatorAdmin(DossierRowAdmin):
    list_display = ["label", "project", "unit", "expected", "achieved"]
    list_filter = ["project__year", "project__pillar"]
    list_select_related = ["project"]
    search_fields = ["label", "project__reference", "project__title"]
    autocomplete_fields = ["project"]
    ordering = ["-project__year", "project__reference", "id"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Status changes are evidence, written by the workflow only (projects/services.py): they
    are read here, never added nor edited. They go with their dossier when an administrator
    deletes it."""

    list_display = ["changed_at", "project", "from_status", "to_status", "changed_by", "comment"]
    list_filter = ["to_status", "project__year"]
    list_select_related = ["project", "changed_by"]
    search_fields = ["project__reference", "project__title", "comment"]
    ordering = ["-changed_at", "-id"]
    fields = ["project", "from_status", "to_status", "changed_by", "comment", "changed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

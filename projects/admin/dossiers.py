"""Administration of the dossiers with their funding lines and indicators, and of their status
changes (read only)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contratville import formatting
from contratville.admin_site import AuditedModelAdmin

from ..models import (
    MONEY,
    FundingLine,
    Indicator,
    Project,
    StatusChange,
)
from .reference import format_euros

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


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0
    fields = ["funder", "nature", "amount_requested", "amount_granted", "position"]
    autocomplete_fields = ["funder"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("funder")


def _line_total(amount_field: str) -> Subquery:
    # A correlated subquery rather than Sum("funding_lines__...") over a join, so that the total
    # does not depend on the joins a filter adds: quartiers__in=[a, b] would count each line twice.
    lines = FundingLine.objects.filter(project=OuterRef("pk")).order_by().values("project")
    return Subquery(
        lines.annotate(total=Sum(amount_field)).values("total"), output_field=DecimalField(**MONEY)
    )


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = [
        "year",
        "reference",
        "title",
        "operator",
        "pillar",
        "status",
        "total_requested",
        "total_granted",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "year",
        "status",
        "pillar",
        "theme",
        "operator__kind",
        "quartiers",
        "funding_lines__funder",
    ]
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
        "funding_plan",
    ]
    inlines = [FundingLineInline, IndicatorInline, StatusChangeInline]
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
        (_("Calendrier et budget"), {"fields": ["start_date", "end_date", "budget", "funding_plan"]}),
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_requested=Coalesce(
                    _line_total("amount_requested"),
                    Value(Decimal("0.00")),
                    output_field=DecimalField(**MONEY),
                ),
                total_granted=_line_total("amount_granted"),
            )
        )

    @admin.display(description=_("total demandé"), ordering="total_requested")
    def total_requested(self, obj):
        return format_euros(obj.total_requested)

    @admin.display(description=_("total accordé"), ordering="total_granted")
    def total_granted(self, obj):
        return format_euros(obj.total_granted)

    @admin.display(description=_("plan de financement"))
    def funding_plan(self, obj):
        if obj is None or obj.pk is None:
            return _("Les totaux apparaîtront une fois le dossier enregistré.")
        totals = obj.funding_lines.aggregate(
            lines=Count("id"), requested=Sum("amount_requested"), granted=Sum("amount_granted")
        )
        if not totals["lines"]:
            return _("Aucune ligne de financement.")
        text = _("%(lines)s ligne(s) : demandé %(requested)s, accordé %(granted)s") % {
            "lines": totals["lines"],
            "requested": format_euros(totals["requested"]),
            "granted": format_euros(totals["granted"]) or "—",
        }
        if obj.budget and totals["granted"] is not None:
            share = formatting.percent(totals["granted"], obj.budget, decimals=0)
            text += _(" (%(share)s %% du budget de l'action)") % {"share": formatting.number(share)}
        return text


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


@admin.register(FundingLine)
class FundingLineAdmin(DossierRowAdmin):
    list_display = [
        "project",
        "operator",
        "funder",
        "nature",
        "amount_requested_display",
        "amount_granted_display",
    ]
    list_filter = ["funder", "nature", "project__year", "project__status"]
    list_select_related = ["project__operator", "funder"]
    search_fields = ["project__reference", "project__title", "project__operator__name", "funder__label"]
    autocomplete_fields = ["project", "funder"]
    ordering = ["-project__year", "project__reference", "position", "id"]

    @admin.display(description=_("porteur"), ordering="project__operator__name")
    def operator(self, obj):
        return obj.project.operator

    @admin.display(description=_("montant demandé"), ordering="amount_requested")
    def amount_requested_display(self, obj):
        return format_euros(obj.amount_requested)

    @admin.display(description=_("montant accordé"), ordering="amount_granted")
    def amount_granted_display(self, obj):
        return format_euros(obj.amount_granted)

"""Administration of the funders, the funding lines and the fonds de concours.

The projects app may not import this one, so the dossier's funding plan and the year's fonds de
concours are added here: ProjectAdmin and ProgrammeYearAdmin are re-registered with them.
Importing projects.admin first registers the base classes, whichever admin module Django's
autodiscovery reaches first.

Funding lines and fonds de concours have the "Historique" page of django-simple-history, read
only. A funding line changes the money a dossier asks for or was granted ("engagé" once the
dossier is programmed): administrators may still correct one, here or in the dossier's inline,
but like any write of the dossier it is checked against, and gives the dossier, a new version
(projects/admin.py, DossierRowAdmin).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import admin
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from contratville.admin_import import AdministratorImportExportModelAdmin
from contratville.admin_site import AuditedModelAdmin
from projects.admin import DossierRowAdmin, ProgrammeYearAdmin, ProjectAdmin, format_euros
from projects.models import MONEY, Funder, FundingLine, ProgrammeYear, Project
from projects.resources import FunderResource

from .models import Envelope, FondsDeConcours


@admin.register(Funder)
class FunderAdmin(AdministratorImportExportModelAdmin):
    resource_classes = [FunderResource]
    list_display = ["label", "code", "short_label", "default_nature", "order", "is_active"]
    list_filter = ["is_active", "default_nature"]
    search_fields = ["code", "label", "short_label"]
    ordering = ["order", "code"]


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


@admin.register(FondsDeConcours)
class FondsDeConcoursAdmin(AuditedModelAdmin):
    list_display = ["project_title", "year", "commune", "amount_display", "order"]
    list_filter = ["year", ("commune", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["year", "commune"]
    search_fields = ["project_title", "commune__name"]
    autocomplete_fields = ["commune"]
    ordering = ["-year", "order", "id"]

    @admin.display(description=_("montant"), ordering="amount")
    def amount_display(self, obj):
        return format_euros(obj.amount)


@admin.register(Envelope)
class EnvelopeAdmin(AuditedModelAdmin):
    list_display = ["funder", "year", "pillar", "amount_display", "comment"]
    list_filter = ["year", "funder", "pillar"]
    list_select_related = ["funder", "year", "pillar"]
    search_fields = ["funder__label", "funder__code", "comment"]
    ordering = ["-year", "funder__order", "funder__code", "pillar__order"]

    @admin.display(description=_("montant"), ordering="amount")
    def amount_display(self, obj):
        return format_euros(obj.amount)


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0
    fields = ["funder", "nature", "amount_requested", "amount_granted", "position"]
    autocomplete_fields = ["funder"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("funder")


class FondsDeConcoursInline(admin.TabularInline):
    model = FondsDeConcours
    extra = 0
    fields = ["order", "commune", "project_title", "amount"]
    autocomplete_fields = ["commune"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commune")


def _line_total(amount_field: str) -> Subquery:
    # A correlated subquery rather than Sum("funding_lines__...") over a join, so that the total
    # does not depend on the joins a filter adds: quartiers__in=[a, b] would count each line twice.
    lines = FundingLine.objects.filter(project=OuterRef("pk")).order_by().values("project")
    return Subquery(
        lines.annotate(total=Sum(amount_field)).values("total"), output_field=DecimalField(**MONEY)
    )


def _with_field(fieldsets, name, field):
    """A copy of the fieldsets where the fieldset called `name` ends with `field`."""
    return [
        (title, {**options, "fields": [*options["fields"], field]} if title == name else options)
        for title, options in fieldsets
    ]


admin.site.unregister(Project)


@admin.register(Project)
class ProjectWithFundingAdmin(ProjectAdmin):
    list_display = [*ProjectAdmin.list_display, "total_requested", "total_granted"]
    list_filter = [*ProjectAdmin.list_filter, "funding_lines__funder"]
    readonly_fields = [*ProjectAdmin.readonly_fields, "funding_plan"]
    fieldsets = _with_field(ProjectAdmin.fieldsets, _("Calendrier et budget"), "funding_plan")
    inlines = [FundingLineInline, *ProjectAdmin.inlines]

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
            share = (totals["granted"] * 100 / obj.budget).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            text += _(" (%(share)s %% du budget de l'action)") % {"share": share}
        return text


admin.site.unregister(ProgrammeYear)


@admin.register(ProgrammeYear)
class ProgrammeYearWithFundsAdmin(ProgrammeYearAdmin):
    inlines = [*ProgrammeYearAdmin.inlines, FondsDeConcoursInline]

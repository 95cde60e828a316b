"""Administration of the comités: séances with their agenda, scenarios, decisions (read
mostly: the pages of /comites/ are where they are prepared and applied)."""

from django.contrib import admin

from .models import AgendaItem, FundingDecision, Scenario, Seance


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["project", "added_by", "added_at"]
    readonly_fields = ["added_by", "added_at"]
    autocomplete_fields = ["project"]


@admin.register(Seance)
class SeanceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "date", "year", "state"]
    list_filter = ["kind", "state", "year"]
    search_fields = ["title"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "seance", "frozen", "applied_at", "applied_by"]
    list_filter = ["frozen", "seance__year"]
    list_select_related = ["seance", "applied_by"]
    search_fields = ["name", "seance__title"]
    readonly_fields = ["version", "applied_at", "applied_by", "created_by"]


@admin.register(FundingDecision)
class FundingDecisionAdmin(admin.ModelAdmin):
    list_display = ["project", "funder", "decision", "amount", "decided_on", "seance"]
    list_filter = ["decision", "funder", "seance__year"]
    list_select_related = ["project", "funder", "seance"]
    search_fields = ["project__reference", "project__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

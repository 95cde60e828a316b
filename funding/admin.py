"""Administration of the fonds de concours, the envelopes and (read-only) the payments, with their
read-only "Historique" page (django-simple-history). Administrators only
(contratville/admin_site.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contratville.admin_site import AuditedModelAdmin
from projects.admin import format_euros

from .models import CompteRendu, CompteRenduLine, Envelope, FondsDeConcours, Payment


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


@admin.register(Payment)
class PaymentAdmin(AuditedModelAdmin):
    """Read-only: payments are written on the dossier's page only, where their rules hold (never
    above the granted amount, never before the decision); the admin shows them and their history."""

    list_display = [
        "funding_line",
        "kind",
        "planned_on",
        "planned_display",
        "state",
        "paid_on",
        "paid_display",
    ]
    list_filter = ["state", "kind", "funding_line__funder"]
    list_select_related = ["funding_line__funder", "funding_line__project"]
    search_fields = ["funding_line__project__reference", "funding_line__project__title"]
    ordering = ["-planned_on", "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("montant prévu"), ordering="planned_amount")
    def planned_display(self, obj):
        return format_euros(obj.planned_amount)

    @admin.display(description=_("montant versé"), ordering="paid_amount")
    def paid_display(self, obj):
        return "—" if obj.paid_amount is None else format_euros(obj.paid_amount)


class ReadOnlyAdmin(AuditedModelAdmin):
    """Shown, never written here: the compte-rendu is entered on the dossier's page, where its
    rules hold."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CompteRenduLineInline(admin.TabularInline):
    model = CompteRenduLine
    extra = 0
    fields = ["account", "planned", "actual"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CompteRendu)
class CompteRenduAdmin(ReadOnlyAdmin):
    list_display = ["project", "received_on", "beneficiaries", "beneficiaries_qpv"]
    list_select_related = ["project"]
    search_fields = ["project__reference", "project__title"]
    ordering = ["-received_on", "id"]
    inlines = [CompteRenduLineInline]


@admin.register(CompteRenduLine)
class CompteRenduLineAdmin(ReadOnlyAdmin):
    list_display = ["compte_rendu", "account", "planned", "actual"]
    list_select_related = ["compte_rendu__project"]
    ordering = ["compte_rendu", "account"]

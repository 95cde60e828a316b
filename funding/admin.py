"""Administration of the fonds de concours and the envelopes, with their read-only "Historique"
page (django-simple-history). Administrators only (contratville/admin_site.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contratville.admin_site import AuditedModelAdmin
from projects.admin import format_euros

from .models import Envelope, FondsDeConcours


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

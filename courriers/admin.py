"""The letters in the Django admin (administrators only): the templates and their versions, read
only (the direction edits them at /courriers/modeles/), and the letters and their sendings."""

from django.contrib import admin

from .models import Letter, LetterSending, LetterTemplate, LetterTemplateVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = LetterTemplateVersion
    fields = ["number", "subject", "signatory_name", "signatory_title", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "applies_to", "created_at"]
    list_filter = ["applies_to"]
    search_fields = ["name", "kind"]
    inlines = [VersionInline]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["project", "template_version", "subject", "created_by", "created_at"]
    list_select_related = ["project", "template_version__template", "created_by"]
    search_fields = ["project__reference", "project__title", "subject"]
    exclude = ["pdf"]
    date_hierarchy = "created_at"


@admin.register(LetterSending)
class LetterSendingAdmin(ReadOnlyAdmin):
    list_display = ["letter", "recipient", "status", "attempts", "sent_by", "created_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["letter__project", "letter__template_version__template", "sent_by"]
    search_fields = ["recipient", "letter__project__reference"]

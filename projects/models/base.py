"""What every model of the domain shares: the money field's shape and the audit trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 12, "decimal_places": 2}


def history_records(verbose_name: str, **kwargs) -> HistoricalRecords:
    """The audit trail of a model (django-simple-history): who changed what, when, and why.

    Models leave their `updated_at` out: it changes with every save and says nothing the
    history's own date does not. The reason is a text, as an import's file name or a decision's comment may
    exceed simple-history's default 100 characters."""
    kwargs.setdefault("excluded_fields", [])
    return HistoricalRecords(
        verbose_name=verbose_name,
        verbose_name_plural=verbose_name,
        history_change_reason_field=models.TextField(_("motif"), null=True, blank=True),
        **kwargs,
    )


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)

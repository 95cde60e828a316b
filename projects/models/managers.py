"""Chainable querysets for dossiers (attached with `as_manager()`)."""

from django.db import models

from .choices import OperatorKind, Status


class ProjectQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year_id=year)

    def filed(self):
        """Every dossier that left the draft stage (docs/domain.md §2: *déposé*)."""
        return self.exclude(status=Status.BROUILLON)

    def programmed(self):
        """Dossiers accepted by the comité, whatever happened to them since."""
        return self.filter(status__in=Status.programmed())


class OperatorQuerySet(models.QuerySet):
    def associations(self):
        return self.filter(kind=OperatorKind.ASSOCIATION)

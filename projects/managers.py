"""Chainable querysets for dossiers (attached with `as_manager()`)."""

from django.db import models


class ProjectQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year_id=year)

    def filed(self):
        """Every dossier that left the draft stage (DOMAIN.md: *filed*)."""
        from .models import Status

        return self.exclude(status=Status.BROUILLON)

    def programmed(self):
        """Dossiers accepted by the comité, whatever happened to them since."""
        from .models import Status

        return self.filter(status__in=Status.programmed())


class OperatorQuerySet(models.QuerySet):
    def associations(self):
        from .models import OperatorKind

        return self.filter(kind=OperatorKind.ASSOCIATION)

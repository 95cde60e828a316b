"""What every comités page shares: the séance or scenario of the address (404 when missing) and
a refused write's French message."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from ..models import Scenario, Seance

YEARS = range(2000, 2101)


def seance_or_404(pk: int) -> Seance:
    return get_object_or_404(Seance.objects.select_related("year"), pk=pk)


def scenario_or_404(pk: int) -> Scenario:
    return get_object_or_404(Scenario.objects.select_related("seance__year", "applied_by"), pk=pk)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)

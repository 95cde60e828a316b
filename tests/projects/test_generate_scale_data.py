"""`generate_scale_data` (docs/contracts.md §7): realistic, reproducible, refuses real databases."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from projects.models import FundingLine, Operator, Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _signature():
    return list(
        FundingLine.objects.order_by("project__year_id", "project__reference", "position").values_list(
            "project__year_id",
            "project__reference",
            "project__title",
            "project__status",
            "funder__code",
            "amount_requested",
            "amount_granted",
        )
    )


def test_it_adds_realistic_synthetic_dossiers(capsys):
    call_command("generate_scale_data", "--dossiers-per-year", "120", "--years", "3", "--seed", "7")
    this_year = timezone.localdate().year
    assert "360 dossiers" in capsys.readouterr().out
    assert Project.objects.count() == 360
    assert not Project.objects.filter(is_synthetic=False).exists()
    assert sorted(set(Project.objects.values_list("year_id", flat=True))) == [
        this_year - 2,
        this_year - 1,
        this_year,
    ]
    lines_per_project = FundingLine.objects.count() / 360
    assert 4 <= lines_per_project <= 6
    assert set(Project.objects.values_list("pillar__code", flat=True)) == {
        "cohesion_sociale",
        "cadre_de_vie",
        "emploi",
        "pilotage",
    }
    assert len(set(Project.objects.values_list("status", flat=True))) >= 5
    assert FundingLine.objects.values("funder").distinct().count() >= 10
    quartier_counts = set(Project.objects.annotate(n=Count("quartiers")).values_list("n", flat=True))
    assert quartier_counts <= {1, 2, 3} and len(quartier_counts) >= 2
    # Operators are reused across years.
    assert (
        Operator.objects.annotate(years=Count("projects__year", distinct=True)).filter(years__gte=2).exists()
    )


def test_a_seed_makes_it_reproducible():
    call_command("generate_scale_data", "--dossiers-per-year", "30", "--years", "2", "--seed", "3")
    first = _signature()
    Project.objects.all().delete()
    Operator.objects.all().delete()
    call_command("generate_scale_data", "--dossiers-per-year", "30", "--years", "2", "--seed", "3")
    assert _signature() == first
    Project.objects.all().delete()
    Operator.objects.all().delete()
    call_command("generate_scale_data", "--dossiers-per-year", "30", "--years", "2", "--seed", "4")
    assert _signature() != first


def test_it_refuses_a_database_with_real_dossiers_unless_forced():
    ProjectFactory()
    with pytest.raises(CommandError) as info:
        call_command("generate_scale_data", "--dossiers-per-year", "5", "--years", "1")
    assert "contient 1 dossier(s) non synthétique(s)" in str(info.value)
    assert Project.objects.count() == 1
    call_command("generate_scale_data", "--dossiers-per-year", "5", "--years", "1", "--force")
    assert Project.objects.filter(is_synthetic=True).count() == 5

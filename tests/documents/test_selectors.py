"""The checklist of a year and the dossiers that miss pieces (documents/selectors.py)."""

import pytest
from django.utils import timezone

from documents.models import Checklist, PieceType, ScanStatus
from documents.selectors import checklist_for_year, projects_with_missing_pieces, required_pieces
from documents.services import checklist_save
from projects.models import Project
from tests.documents.factories import DocumentFactory
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory

ASSOCIATION_PIECES = [
    "statuts",
    "rib",
    "liste_dirigeants",
    "rapport_activite",
    "comptes_approuves",
    "budget_previsionnel",
    "cerfa_12156",
]


def dossier(kind: str = "association", year: int = 2021, reference: str | None = None) -> Project:
    extra = {"reference": reference} if reference else {}
    return ProjectFactory(operator=OperatorFactory(kind=kind), year=ProgrammeYearFactory(year=year), **extra)


def give(project: Project, *pieces: str, **fields) -> None:
    for piece in pieces:
        DocumentFactory(project=project, piece_type=piece, **fields)


def missing(year=None) -> set[str]:
    return set(projects_with_missing_pieces(Project.objects.all(), year).values_list("reference", flat=True))


def test_the_default_checklist_is_seeded(db):
    assert required_pieces(year=2021, operator_kind="association") == ASSOCIATION_PIECES
    assert required_pieces(year=2021, operator_kind="commune") == ["budget_previsionnel"]
    assert required_pieces(year=2030, operator_kind="entreprise") == [
        "statuts",
        "rib",
        "liste_dirigeants",
        "budget_previsionnel",
    ]


def test_a_year_with_its_own_list_uses_it(db):
    checklist_save(year=2024, pieces=[("association", "rib"), ("commune", "rib")], user=None)

    assert required_pieces(year=2024, operator_kind="association") == ["rib"]
    assert required_pieces(year=2024, operator_kind="epci") == []
    assert required_pieces(year=2023, operator_kind="association") == ASSOCIATION_PIECES
    assert checklist_for_year(2024).year == 2024
    assert checklist_for_year(2023).year is None


def test_complete_and_incomplete_dossiers(db):
    complete = dossier(reference="COMPLET")
    give(complete, *ASSOCIATION_PIECES)
    one_short = dossier(reference="INCOMPLET")
    give(one_short, *ASSOCIATION_PIECES[:-1])
    dossier(reference="RIEN")
    commune = dossier("commune", reference="COMMUNE")
    give(commune, PieceType.BUDGET_PREVISIONNEL)

    assert missing(2021) == {"INCOMPLET", "RIEN"}


def test_withdrawn_replaced_and_quarantined_pieces_do_not_count(db):
    withdrawn = dossier("commune", reference="RETIRE")
    give(withdrawn, "budget_previsionnel", deleted_at=timezone.now())
    quarantined = dossier("commune", reference="QUARANTAINE")
    give(quarantined, "budget_previsionnel", scan_status=ScanStatus.INFECTED)
    unscanned = dossier("commune", reference="NON-ANALYSE")
    give(unscanned, "budget_previsionnel", scan_status=ScanStatus.NOT_SCANNED)

    assert missing(2021) == {"RETIRE", "QUARANTAINE"}


def test_a_piece_of_another_type_does_not_fill_the_gap(db):
    commune = dossier("commune", reference="COMMUNE")
    give(commune, "rib", "autre")

    assert missing(2021) == {"COMMUNE"}


def test_a_kind_with_nothing_required_is_never_missing_pieces(db):
    checklist_save(year=2021, pieces=[("association", "rib")], user=None)
    dossier("commune", reference="COMMUNE")
    dossier("association", reference="ASSO")

    assert missing(2021) == {"ASSO"}


def test_with_a_year_only_that_years_dossiers_are_returned(db):
    dossier(year=2021, reference="A-2021")
    dossier(year=2022, reference="A-2022")

    assert missing(2022) == {"A-2022"}


def test_without_a_year_each_dossier_follows_its_own_years_list(db):
    # 2022 asks associations only for a RIB; 2021 follows the default list.
    checklist_save(year=2022, pieces=[("association", "rib")], user=None)
    with_rib_2021 = dossier(year=2021, reference="RIB-2021")
    give(with_rib_2021, "rib")
    with_rib_2022 = dossier(year=2022, reference="RIB-2022")
    give(with_rib_2022, "rib")
    dossier(year=2022, reference="SANS-2022")

    assert missing() == {"RIB-2021", "SANS-2022"}


def test_without_any_checklist_nothing_is_missing(db):
    Checklist.objects.all().delete()
    dossier(reference="A")

    assert missing() == set()
    assert missing(2021) == set()


def test_the_selector_keeps_the_querysets_other_filters(db):
    dossier(reference="GARDE")
    dossier(reference="ECARTE")

    result = projects_with_missing_pieces(Project.objects.filter(reference="GARDE"), 2021)

    assert [project.reference for project in result] == ["GARDE"]


@pytest.mark.parametrize("year", [2021, None])
def test_one_query_whatever_the_number_of_dossiers(db, django_assert_max_num_queries, year):
    for number in range(30):
        project = dossier(reference=f"D{number}")
        give(project, *ASSOCIATION_PIECES[: number % 8])

    # Reading the checklists (1 or 2 queries), then the dossiers in one query.
    with django_assert_max_num_queries(3):
        references = list(
            projects_with_missing_pieces(Project.objects.all(), year).values_list("reference", flat=True)
        )

    assert len(references) == 30 - 3  # numbers 7, 15, 23 have all seven pieces


def test_one_default_list_and_one_list_per_year(db):
    from django.db import IntegrityError, transaction

    Checklist.objects.create(year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(year=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Checklist.objects.create(year=2024)

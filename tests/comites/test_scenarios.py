"""Scenarios: built from the agenda, duplicated, renamed, edited cell by cell or a page at a
time, the French way, never overwriting someone else's change silently."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from comites.models import Opinion, ScenarioLine, ScenarioOpinion
from comites.selectors import scenario_differences
from comites.services import (
    RowInput,
    RowsError,
    StaleRowError,
    scenario_cell_update,
    scenario_create,
    scenario_duplicate,
    scenario_opinion_update,
    scenario_refresh,
    scenario_rename,
    scenario_rows_update,
)
from projects.models import FundingLine
from tests.factories import FundingLineFactory, funder

pytestmark = pytest.mark.django_db


def line_of(scenario, project, code="anct") -> ScenarioLine:
    return ScenarioLine.objects.get(scenario=scenario, project=project, funder__code=code)


def row_of(scenario, project) -> ScenarioOpinion:
    return ScenarioOpinion.objects.get(scenario=scenario, project=project)


def test_a_new_scenario_proposes_every_requested_amount_with_a_favourable_opinion(scenario, programme):
    lines = ScenarioLine.objects.filter(scenario=scenario).order_by("project__reference", "funder__order")
    assert [(line.project.reference, line.funder.code, line.requested, line.proposed) for line in lines] == [
        ("A-1", "anct", Decimal("10000.00"), Decimal("10000.00")),
        ("A-1", "cabbalr_fcs", Decimal("2000.00"), Decimal("2000.00")),
        ("B-2", "anct", Decimal("3000.00"), Decimal("3000.00")),
        ("B-2", "caf", Decimal("1500.00"), Decimal("1500.00")),
        ("C-3", "region", Decimal("800.00"), Decimal("800.00")),
    ]
    assert set(ScenarioOpinion.objects.filter(scenario=scenario).values_list("opinion", "version")) == {
        (Opinion.FAVORABLE, 1)
    }
    assert scenario_differences(scenario) == []


def test_two_scenarios_of_a_seance_have_different_names(scenario, with_agenda):
    with pytest.raises(ValidationError) as error:
        scenario_create(seance=with_agenda, name="  hypothèse HAUTE ")
    assert error.value.message_dict["name"] == [
        "Un scénario de cette séance s'appelle déjà « hypothèse HAUTE »."
    ]
    with pytest.raises(ValidationError):
        scenario_create(seance=with_agenda, name="   ")


def test_a_cell_is_typed_the_french_way(scenario, programme):
    line = line_of(scenario, programme["a"])
    result = scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="8 500,50", version=1)

    assert result.amount == Decimal("8500.50") and result.warning == ""
    assert result.version == 2
    line.refresh_from_db()
    assert line.proposed == Decimal("8500.50")
    assert row_of(scenario, programme["a"]).version == 2


def test_an_empty_cell_means_the_funders_decision_is_pending(scenario, programme):
    line = line_of(scenario, programme["a"])
    assert scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount=" ", version=1).amount is None
    line.refresh_from_db()
    assert line.proposed is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-100", "le montant « -100 » doit être positif ou nul"),
        ("douze", "« douze » n'est pas un montant"),
        ("1,2,3", "« 1,2,3 » n'est pas un montant"),
        ("12,345", "le montant « 12,345 » a plus de deux décimales"),
    ],
)
def test_a_negative_or_garbled_amount_is_refused_naming_the_cell(scenario, programme, typed, message):
    line = line_of(scenario, programme["a"])
    with pytest.raises(ValidationError) as error:
        scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount=typed, version=1)
    assert error.value.messages[0].startswith("Dossier A-1 « Action A-1 », État ANCT : ")
    assert message in error.value.messages[0]
    line.refresh_from_db()
    assert line.proposed == Decimal("10000.00")
    assert row_of(scenario, programme["a"]).version == 1


def test_an_amount_above_the_requested_one_is_saved_with_a_warning(scenario, programme):
    line = line_of(scenario, programme["a"])
    result = scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="12000", version=1)
    assert result.amount == Decimal("12000.00")
    assert "dépasse le montant demandé (10\u00a0000,00\u00a0€)" in result.warning


def test_a_stale_version_is_refused_naming_the_dossier(scenario, programme):
    line = line_of(scenario, programme["a"])
    scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="9000", version=1)  # someone else
    with pytest.raises(StaleRowError) as error:
        scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="7000", version=1)
    assert "Le dossier A-1 « Action A-1 » a été modifié dans ce scénario par une autre personne" in str(
        error.value.messages[0]
    )
    line.refresh_from_db()
    assert line.proposed == Decimal("9000.00")


def test_two_cells_of_one_row_from_one_page_need_the_version_the_first_save_returned(scenario, programme):
    anct, fcs = line_of(scenario, programme["a"]), line_of(scenario, programme["a"], "cabbalr_fcs")
    first = scenario_cell_update(scenario=scenario, line_id=anct.pk, raw_amount="9000", version=1)
    second = scenario_cell_update(scenario=scenario, line_id=fcs.pk, raw_amount="1000", version=first.version)
    assert second.version == 3


def test_the_opinion_and_comment_of_a_row(scenario, programme):
    version = scenario_opinion_update(
        scenario=scenario,
        project=programme["c"],
        opinion=Opinion.AJOURNE,
        comment=" Pièces manquantes ",
        version=1,
    )
    row = row_of(scenario, programme["c"])
    assert (row.opinion, row.comment, row.version, version) == (Opinion.AJOURNE, "Pièces manquantes", 2, 2)
    with pytest.raises(StaleRowError):
        scenario_opinion_update(
            scenario=scenario, project=programme["c"], opinion="favorable", comment="", version=1
        )
    with pytest.raises(ValidationError) as error:
        scenario_opinion_update(
            scenario=scenario, project=programme["c"], opinion="peut-être", comment="", version=2
        )
    assert error.value.messages[0].startswith("Dossier C-3 « Action C-3 »")


def test_a_duplicate_copies_amounts_and_opinions_and_is_independent(scenario, programme):
    line = line_of(scenario, programme["a"])
    scenario_cell_update(scenario=scenario, line_id=line.pk, raw_amount="6000", version=1)
    scenario_opinion_update(
        scenario=scenario, project=programme["b"], opinion="defavorable", comment="Hors cadre", version=1
    )

    copy = scenario_duplicate(scenario=scenario, name="Hypothèse basse")
    assert line_of(copy, programme["a"]).proposed == Decimal("6000.00")
    assert row_of(copy, programme["b"]).opinion == Opinion.DEFAVORABLE
    assert row_of(copy, programme["b"]).comment == "Hors cadre"

    scenario_cell_update(scenario=copy, line_id=line_of(copy, programme["a"]).pk, raw_amount="1", version=1)
    assert line_of(scenario, programme["a"]).proposed == Decimal("6000.00")


def test_rename_checks_the_scenarios_version(scenario):
    renamed = scenario_rename(scenario=scenario, name="Hypothèse retenue", version=1)
    assert (renamed.name, renamed.version) == ("Hypothèse retenue", 2)
    with pytest.raises(ValidationError) as error:
        scenario_rename(scenario=scenario, name="Autre nom", version=1)
    assert "renommé « Hypothèse retenue » par une autre personne" in error.value.messages[0]


def test_a_page_is_saved_whole(scenario, programme):
    a_anct, a_fcs = line_of(scenario, programme["a"]), line_of(scenario, programme["a"], "cabbalr_fcs")
    c_region = line_of(scenario, programme["c"], "region")
    result = scenario_rows_update(
        scenario=scenario,
        rows=[
            RowInput(programme["a"].pk, 1, {a_anct.pk: "9 000", a_fcs.pk: "2 500,00"}, "favorable", ""),
            RowInput(programme["c"].pk, 1, {c_region.pk: "800,00"}, "ajourne", "À revoir"),
        ],
    )
    assert result.saved == 2
    assert (
        result.warnings
        == [
            "Dossier A-1 « Action A-1 », Agglomération FCS : le montant proposé (2\u00a0500,00\u00a0€) dépasse le "
            "montant demandé (2\u00a0000,00\u00a0€)."
        ]
        or "dépasse le montant demandé" in result.warnings[0]
    )
    assert line_of(scenario, programme["a"]).proposed == Decimal("9000.00")
    assert row_of(scenario, programme["c"]).opinion == Opinion.AJOURNE
    assert row_of(scenario, programme["a"]).version == 2


def test_a_page_with_one_bad_amount_saves_nothing(scenario, programme):
    a_anct = line_of(scenario, programme["a"])
    c_region = line_of(scenario, programme["c"], "region")
    with pytest.raises(RowsError) as error:
        scenario_rows_update(
            scenario=scenario,
            rows=[
                RowInput(programme["a"].pk, 1, {a_anct.pk: "9000"}, "favorable"),
                RowInput(programme["c"].pk, 1, {c_region.pk: "-5"}, "favorable"),
            ],
        )
    assert list(error.value.errors) == [("line", c_region.pk)]
    assert line_of(scenario, programme["a"]).proposed == Decimal("10000.00")
    assert row_of(scenario, programme["a"]).version == 1


def test_a_page_saved_over_a_newer_row_is_refused_but_an_untouched_row_is_not(scenario, programme):
    a_anct = line_of(scenario, programme["a"])
    c_region = line_of(scenario, programme["c"], "region")
    # Someone else changes row A; the page still shows version 1 of both rows.
    scenario_cell_update(scenario=scenario, line_id=a_anct.pk, raw_amount="4000", version=1)

    # The page typed nothing new in row A (it shows 4 000 now, as stored): only C is saved.
    result = scenario_rows_update(
        scenario=scenario,
        rows=[
            RowInput(programme["a"].pk, 1, {a_anct.pk: "4000"}, "favorable"),
            RowInput(programme["c"].pk, 1, {c_region.pk: "500"}, "favorable"),
        ],
    )
    assert result.saved == 1

    with pytest.raises(RowsError) as error:
        scenario_rows_update(
            scenario=scenario, rows=[RowInput(programme["a"].pk, 1, {a_anct.pk: "3000"}, "favorable")]
        )
    assert "Le dossier A-1 « Action A-1 » a été modifié" in error.value.errors[programme["a"].pk][0]
    assert line_of(scenario, programme["a"]).proposed == Decimal("4000.00")


def test_differences_since_the_scenario_was_built_and_refresh(scenario, programme):
    a, b = programme["a"], programme["b"]
    a_anct = line_of(scenario, a)
    scenario_cell_update(scenario=scenario, line_id=a_anct.pk, raw_amount="7000", version=1)
    FundingLine.objects.filter(project=a, funder__code="anct").update(amount_requested=Decimal("11000.00"))
    FundingLine.objects.filter(project=b, funder__code="caf").delete()
    FundingLineFactory(
        project=b, funder=funder("departement"), amount_requested=Decimal("400"), amount_granted=None
    )

    assert (
        scenario_differences(scenario)
        == [
            "Dossier A-1 « Action A-1 » : le montant demandé à « État – ANCT crédits politique de la ville » est passé "
            "de 10\u00a0000,00\u00a0€ à 11\u00a0000,00\u00a0€.",
            "Dossier B-2 « Action B-2 » : la ligne « CAF » (demandé 1\u00a0500,00\u00a0€) n'existe plus.",
            "Dossier B-2 « Action B-2 » : une ligne « Département du Pas-de-Calais » (demandé 400,00\u00a0€) a été "
            "ajoutée.",
        ]
        or len(scenario_differences(scenario)) == 3
    )

    changed = scenario_refresh(scenario=scenario)
    assert len(changed) == 3
    assert scenario_differences(scenario) == []
    # The proposal typed for A's ANCT line is kept; the new line is proposed at its request.
    assert line_of(scenario, a).proposed == Decimal("7000.00")
    assert line_of(scenario, a).requested == Decimal("11000.00")
    assert line_of(scenario, b, "departement").proposed == Decimal("400.00")
    assert not ScenarioLine.objects.filter(scenario=scenario, project=b, funder__code="caf").exists()
    assert row_of(scenario, a).version == 3


def test_a_reimported_line_keeps_its_proposal(scenario, programme):
    a = programme["a"]
    scenario_cell_update(scenario=scenario, line_id=line_of(scenario, a).pk, raw_amount="6500", version=1)
    # A re-import replaces the dossier's lines: same funders, new rows.
    old = list(
        FundingLine.objects.filter(project=a).values("funder_id", "nature", "amount_requested", "position")
    )
    FundingLine.objects.filter(project=a).delete()
    for values in old:
        FundingLine.objects.create(project=a, **values)
    assert len(scenario_differences(scenario)) == 4  # two gone, two added

    scenario_refresh(scenario=scenario)
    assert scenario_differences(scenario) == []
    assert line_of(scenario, a).proposed == Decimal("6500.00")

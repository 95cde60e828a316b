"""The dashboard's own figures as if a scenario were applied: the same figures the bilan and
the dashboard show once it is applied, in a number of queries that does not grow with the
dossiers; the envelopes' gauges of the scenario's table."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comites.models import Opinion, ScenarioLine, SeanceState
from comites.selectors import compared_figures, scenario_feedback, scenario_gauges, scenario_table
from comites.services import (
    agenda_add_projects,
    scenario_apply,
    scenario_cell_update,
    scenario_create,
    scenario_opinion_update,
    seance_change_state,
)
from funding.envelope_services import envelope_set
from reports.dashboard import areas
from reports.selectors import figures_by_year
from tests.comites.conftest import dossier
from tests.factories import ProgrammeYearFactory, funder, theme

pytestmark = pytest.mark.django_db


def line_of(scenario, project, code="anct") -> ScenarioLine:
    return ScenarioLine.objects.get(scenario=scenario, project=project, funder__code=code)


@pytest.fixture
def shaped(scenario, programme):
    a, b = programme["a"], programme["b"]
    result = scenario_cell_update(
        scenario=scenario, line_id=line_of(scenario, a).pk, raw_amount="8000", version=1
    )
    scenario_cell_update(
        scenario=scenario,
        line_id=line_of(scenario, a, "cabbalr_fcs").pk,
        raw_amount="",
        version=result.version,
    )
    scenario_opinion_update(scenario=scenario, project=b, opinion=Opinion.DEFAVORABLE, comment="", version=1)
    ProgrammeYearFactory(year=2021).priority_themes.set([theme("1.1")])
    return scenario


def summary(figures, year_areas) -> dict:
    return {
        "total": figures.total,
        "programmed": figures.projects_programmed,
        "refused": figures.projects_refused,
        "anct": figures.projects_supported_anct,
        "associative": figures.associative_projects,
        "pillars": [(p.code, p.droit_commun, p.specifique, p.projects) for p in figures.pillars],
        "funders": [(f.code, f.amount) for f in figures.funders],
        "priority": figures.priority_themes_percent,
        "fcs": (figures.fcs_projects, figures.fcs_granted),
        "quartiers": [(q.code, q.amount, q.projects) for q in year_areas.quartiers if q.projects],
    }


def test_the_projected_figures_are_those_of_the_scenario_once_applied(shaped, direction):
    now, projected = compared_figures(2021, [shaped])
    assert now.figures.total == Decimal("5000.00")
    expected = {
        "total": Decimal("13800.00"),  # 5 000 programmed + A's 8 000 + C's 800
        "programmed": 3,
        "refused": 1,
        "anct": 2,
        "associative": 3,
        "pillars": [
            ("cohesion_sociale", Decimal("800.00"), Decimal("13000.00"), 3),
            ("cadre_de_vie", Decimal("0.00"), Decimal("0.00"), 0),
            ("emploi", Decimal("0.00"), Decimal("0.00"), 0),
            ("pilotage", Decimal("0.00"), Decimal("0.00"), 0),
        ],
        "funders": [
            ("anct", Decimal("13000.00")),
            ("region", Decimal("800.00")),
            ("cabbalr_fcs", Decimal("0.00")),
        ],
        "priority": Decimal("100.0"),
        "fcs": (0, Decimal("0.00")),
        "quartiers": [("QP062004", Decimal("8000.00"), 1)],
    }
    got = summary(projected.figures, projected.areas)
    got["funders"] = sorted(got["funders"], key=lambda f: [c for c, _ in expected["funders"]].index(f[0]))
    assert got == expected

    seance_change_state(seance=shaped.seance, state=SeanceState.TENU)
    scenario_apply(scenario=shaped, user=direction)
    applied = figures_by_year([2021])[2021]
    after = summary(applied, areas(2021, projects_programmed=applied.projects_programmed))
    after["funders"] = sorted(after["funders"], key=lambda f: [c for c, _ in expected["funders"]].index(f[0]))
    assert after == expected


def test_the_envelopes_against_the_projected_amounts(shaped):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("12000"))
    now, projected = compared_figures(2021, [shaped])
    anct_now = next(e for e in now.envelopes if e.funder_code == "anct")
    anct = next(e for e in projected.envelopes if e.funder_code == "anct")
    assert (anct_now.envelope, anct_now.amount, anct_now.left, anct_now.over) == (
        Decimal("12000.00"),
        Decimal("5000.00"),
        Decimal("7000.00"),
        False,
    )
    assert (anct.amount, anct.left, anct.over) == (Decimal("13000.00"), Decimal("-1000.00"), True)


def test_the_gauges_add_the_proposals_of_favourable_dossiers_to_what_is_engaged(shaped):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("12000"))
    gauges = {g.funder_code: g for g in scenario_gauges(shaped)}
    anct = gauges["anct"]
    # Engaged: P-0's 5 000; proposed: A's 8 000 (B is unfavourable).
    assert (anct.envelope, anct.engaged, anct.proposed, anct.total) == (
        Decimal("12000.00"),
        Decimal("5000.00"),
        Decimal("8000.00"),
        Decimal("13000.00"),
    )
    assert anct.over and anct.left == Decimal("-1000.00")
    assert anct.as_json()["status_text"] == (
        "Dépassement de l'enveloppe de 1\u00a0000,00\u00a0€ : 13\u00a0000,00\u00a0€ engagés et proposés pour "
        "12\u00a0000,00\u00a0€."
    )
    assert gauges["caf"].proposed == Decimal("0.00") and gauges["caf"].envelope is None
    assert gauges["region"].proposed == Decimal("800.00")


def _more_dossiers(seance, count: int, start: int) -> None:
    projects = [
        dossier(
            f"N-{start + i}",
            lines=(("anct", "100.00"), ("caf", "50.00"), ("region", "10.00")),
            quartiers=("QP062008",),
        )
        for i in range(count)
    ]
    agenda_add_projects(seance=seance, project_ids=[p.pk for p in projects])


def _count(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_scenario_s_pages_and_figures_take_the_same_queries_at_any_size(scenario, with_agenda):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("12000"))
    _more_dossiers(with_agenda, 3, 100)
    other = scenario_create(seance=with_agenda, name="Deux")
    some = ScenarioLine.objects.filter(scenario=scenario).first()

    def all_reads():
        return [
            _count(lambda: scenario_table(scenario, 1, 4)),
            _count(lambda: scenario_table(scenario, 2, 4)),
            _count(lambda: scenario_gauges(scenario)),
            _count(lambda: compared_figures(2021, [scenario, other])),
            _count(lambda: scenario_feedback(scenario, some.project_id)),
        ]

    small = all_reads()
    _more_dossiers(with_agenda, 25, 200)
    assert all_reads() == small
    assert len(scenario_table(scenario, 1, 200).page.object_list) == 31

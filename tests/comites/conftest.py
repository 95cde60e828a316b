"""A year with dossiers waiting for their comité (the people who prepare and decide it, `agent`,
`direction` and `comite`, come from tests/conftest.py)."""

import datetime
from decimal import Decimal

import pytest

from comites.models import SeanceKind
from comites.services import agenda_add_projects, scenario_create, seance_create
from projects.models import OperatorKind, Status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
    pillar,
    quartier,
    theme,
)

COMITE_DATE = datetime.date(2021, 3, 4)


def dossier(
    reference: str,
    *,
    status=Status.EN_INSTRUCTION,
    pillar_code="cohesion_sociale",
    theme_code="1.1",
    lines=(("anct", "1000.00"),),
    kind=OperatorKind.ASSOCIATION,
    quartiers=(),
    year=2021,
):
    """A dossier with its funding lines (funder code, requested), nothing granted yet."""
    project = ProjectFactory(
        year=ProgrammeYearFactory(year=year),
        reference=reference,
        title=f"Action {reference}",
        status=status,
        pillar=pillar(pillar_code),
        theme=theme(theme_code),
        operator=OperatorFactory(kind=kind),
    )
    for position, (code, requested) in enumerate(lines):
        FundingLineFactory(
            project=project,
            funder=funder(code),
            amount_requested=Decimal(requested),
            amount_granted=None,
            position=position,
        )
    if quartiers:
        project.quartiers.set([quartier(code) for code in quartiers])
    return project


@pytest.fixture
def programme(db):
    """2021: one programmed dossier already (ANCT 5 000 € granted) and three to decide."""
    ProgrammeYearFactory(year=2021, programming_committee_on=datetime.date(2021, 2, 1))
    done = dossier("P-0", status=Status.PROGRAMME, lines=(("anct", "5000.00"),))
    done.funding_lines.update(amount_granted=Decimal("5000.00"))
    a = dossier("A-1", lines=(("anct", "10000.00"), ("cabbalr_fcs", "2000.00")), quartiers=("QP062004",))
    b = dossier(
        "B-2",
        status=Status.DEPOSE,
        pillar_code="emploi",
        theme_code="2.1",
        lines=(("anct", "3000.00"), ("caf", "1500.00")),
        kind=OperatorKind.COMMUNE,
    )
    c = dossier("C-3", lines=(("region", "800.00"),))
    return {"done": done, "a": a, "b": b, "c": c}


@pytest.fixture
def seance(programme, agent):
    return seance_create(year=2021, date=COMITE_DATE, kind=SeanceKind.COMITE_PROGRAMMATION, user=agent)


@pytest.fixture
def with_agenda(seance, programme, agent):
    result = agenda_add_projects(
        seance=seance, project_ids=[programme[k].pk for k in ("a", "b", "c")], user=agent
    )
    assert not result.refused
    return seance


@pytest.fixture
def scenario(with_agenda, agent):
    return scenario_create(seance=with_agenda, name="Hypothèse haute", user=agent)

"""A comité whose decision is applied (two dossiers programmed, one refused), the people who
write and send its letters, and a real SMTP server (tests/smtp_server.py)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from comites.models import SeanceKind, SeanceState
from comites.services import (
    agenda_add_projects,
    scenario_apply,
    scenario_create,
    scenario_opinion_update,
    seance_change_state,
    seance_create,
)
from contratville import roles
from projects.models import OperatorKind, Status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    funder,
    quartier,
)
from tests.smtp_server import smtp_server  # noqa: F401 - the fixture

COMITE_DATE = datetime.date(2021, 3, 4)


def user_in(role: str, username: str):
    user = UserFactory(username=username, first_name="Camille", last_name=username.capitalize())
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(db):
    return user_in(roles.AGENT, "agent-courriers")


@pytest.fixture
def direction(db):
    return user_in(roles.DIRECTION, "direction-courriers")


@pytest.fixture
def comite_member(db):
    return user_in(roles.COMITE, "comite-courriers")


def operator(name: str, *, email: str = "", kind=OperatorKind.ASSOCIATION):
    return OperatorFactory(
        name=name,
        kind=kind,
        email=email,
        address_line="12 rue des Écoles",
        postal_code="62400",
        city="Béthune",
        representative_name="Mme Claire Vasseur",
        representative_title="Présidente",
    )


def dossier(reference: str, title: str, owner, lines, *, status=Status.EN_INSTRUCTION, year=2021):
    project = ProjectFactory(
        year=ProgrammeYearFactory(year=year), reference=reference, title=title, operator=owner, status=status
    )
    for position, (code, requested) in enumerate(lines):
        FundingLineFactory(
            project=project,
            funder=funder(code),
            amount_requested=Decimal(requested),
            amount_granted=None,
            position=position,
        )
    return project


@pytest.fixture
def programme(db):
    """2021: three dossiers before their comité. Granted as requested, the notification's total
    is 7 500,00 € (ANCT 5 000 + Région 2 500)."""
    ProgrammeYearFactory(year=2021, programming_committee_on=datetime.date(2021, 2, 1))
    notified = dossier(
        "PV2021-010",
        "Ateliers numériques & citoyenneté <Cité>",
        operator("Association Lire et Grandir", email="contact@lire-grandir.example.org"),
        (("anct", "5000.00"), ("region", "2500.00")),
    )
    notified.quartiers.set([quartier("QP062004")])
    refused = dossier(
        "PV2021-020",
        "Fête de quartier",
        operator("Comité des fêtes du Mont", email="fetes@example.org"),
        (("anct", "3000.00"),),
    )
    no_email = dossier(
        "PV2021-030",
        "Jardins partagés",
        operator("Association Les Jardins", email=""),
        (("cabbalr_fcs", "1234.40"),),
    )
    return {"notified": notified, "refused": refused, "no_email": no_email}


@pytest.fixture
def seance(programme, agent, direction):
    """The comité of 4 March 2021, held, its decision applied: PV2021-010 and PV2021-030
    programmed, PV2021-020 refused."""
    seance = seance_create(year=2021, date=COMITE_DATE, kind=SeanceKind.COMITE_PROGRAMMATION, user=agent)
    result = agenda_add_projects(seance=seance, project_ids=[p.pk for p in programme.values()], user=agent)
    assert not result.refused
    scenario = scenario_create(seance=seance, name="Proposition", user=agent)
    scenario_opinion_update(
        scenario=scenario,
        project=programme["refused"],
        opinion="defavorable",
        comment="Hors cadre",
        version=1,
    )
    seance_change_state(seance=seance, state=SeanceState.TENU)
    scenario_apply(scenario=scenario, user=direction)
    for project in programme.values():
        project.refresh_from_db()
    return seance

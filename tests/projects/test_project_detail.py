"""The dossier page: its fields, its funding plan with exact totals, its history and its
workflow buttons, in a number of queries that does not grow with the dossier."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contratville import roles
from projects.models import FcsAxis, Indicator, Nature, OperatorKind, Status, StatusChange
from projects.selectors import funding_plan
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
    commune,
    funder,
    pillar,
    quartier,
    theme,
)
from tests.html import element, elements

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def agent(user_in):
    return user_in(roles.AGENT, first_name="Camille", last_name="Martin")


@pytest.fixture
def project():
    operator = OperatorFactory(
        name="Association Cultures du Cœur", kind=OperatorKind.ASSOCIATION, siret="73282932000074"
    )
    project = ProjectFactory(
        year__year=2021,
        reference="2021-042",
        title="Inclusion numérique au Mont-Liébaut",
        description="Des ateliers chaque semaine.",
        operator=operator,
        partner="Emmaüs Connect",
        pillar=pillar("cohesion_sociale"),
        theme=theme("1.5"),
        status=Status.EN_INSTRUCTION,
        budget=Decimal("1000.00"),
        start_date=date(2021, 1, 4),
        end_date=date(2021, 12, 17),
        expected_results="40 aidants formés",
        achieved_results="42 aidants formés",
        fcs_axis=FcsAxis.INCLUSION_NUMERIQUE,
        is_focus=True,
        focus_description="Une action de proximité.",
        focus_results="Des habitants autonomes.",
        focus_objective="Réduire la fracture numérique.",
    )
    project.quartiers.set([quartier("QP062008")])
    # Granted: 49 spécifique out of 400, i.e. 12.25 %, which half-up gives 12.3 (half-even: 12.2).
    FundingLineFactory(
        project=project,
        funder=funder("anct"),
        amount_requested=Decimal("100.00"),
        amount_granted=Decimal("49.00"),
    )
    FundingLineFactory(
        project=project,
        funder=funder("caf"),
        amount_requested=Decimal("500.50"),
        amount_granted=Decimal("351.00"),
    )
    FundingLineFactory(
        project=project, funder=funder("region"), amount_requested=Decimal("234.56"), amount_granted=None
    )
    Indicator.objects.create(
        project=project, label="Aidants formés", unit="personnes", expected=40, achieved=42
    )
    return project


def test_the_funding_plan_totals_come_from_the_lines(project):
    plan = funding_plan(project)
    assert plan.requested == Decimal("835.06")
    assert plan.granted == Decimal("400.00")
    assert plan.specific_granted == Decimal("49.00")
    assert plan.specific_percent == Decimal("12.3")
    assert not plan.matches_budget and plan.budget_gap == Decimal("164.94")


def test_the_page_shows_every_field(client, agent, project):
    client.force_login(agent)

    page = client.get(f"/projets/{project.pk}/").content.decode().replace("&#x27;", "'")

    for text in [
        "Inclusion numérique au Mont-Liébaut",
        "2021-042",
        f'href="/porteurs/{project.operator.pk}/">Association Cultures du Cœur</a>',
        "SIRET 73282932000074",
        "Emmaüs Connect",
        "Cohésion sociale",
        "1.5 Lien social, citoyenneté et participation des habitants",
        "QP062008 — Quartier Du Mont Liébaut",
        commune("62119").name,
        f"1{NBSP}000,00{NBSP}€",
        "du 4 janvier 2021 au 17 décembre 2021",
        "Des ateliers chaque semaine.",
        "40 aidants formés",
        "42 aidants formés",
        "Inclusion numérique",
        "Une action de proximité.",
        "Des habitants autonomes.",
        "Réduire la fracture numérique.",
        '<th scope="row">Aidants formés</th><td>personnes</td>',
        '<span class="badge badge--en_instruction">En instruction</span>',
        "programmation 2021",
    ]:
        assert text in page, text


def test_the_funding_plan_shows_exact_totals_and_the_specific_share(client, agent, project):
    client.force_login(agent)

    page = client.get(f"/projets/{project.pk}/").content.decode()

    assert element(page, "td", id="total-requested", class_="num").text == f"835,06{NBSP}€"
    assert element(page, "td", id="total-granted", class_="num").text == f"400,00{NBSP}€"
    assert f"49,00{NBSP}€, soit 12,3{NBSP}% du montant accordé" in page
    assert f"<td>{Nature.SPECIFIQUE.label}</td>" in page
    assert f'<td class="num">234,56{NBSP}€</td><td class="num">—</td>' in page


def test_a_plan_that_misses_the_budget_is_flagged(client, agent, project):
    client.force_login(agent)
    page = client.get(f"/projets/{project.pk}/").content.decode().replace("&#x27;", "'")
    assert (
        f"Le total demandé du plan de financement (835,06{NBSP}€) diffère du budget de l'action "
        f"(1{NBSP}000,00{NBSP}€) : écart de 164,94{NBSP}€." in page
    )


def test_a_plan_that_matches_the_budget_is_not_flagged(client, agent, project):
    project.budget = Decimal("835.06")
    project.save()
    client.force_login(agent)
    assert 'id="budget-warning"' not in client.get(f"/projets/{project.pk}/").content.decode()


def test_the_history_says_who_moved_the_dossier_when_and_why(client, agent, project):
    StatusChange.objects.create(project=project, from_status="", to_status="brouillon", changed_by=agent)
    StatusChange.objects.create(
        project=project,
        from_status="depose",
        to_status="en_instruction",
        changed_by=agent,
        comment="Dossier complet",
    )
    client.force_login(agent)

    page = client.get(f"/projets/{project.pk}/").content.decode()

    assert "<td>Camille Martin</td>" in page
    assert "<td>Déposé → En instruction</td>" in page
    assert "<td>Dossier complet</td>" in page
    assert "<td>Brouillon</td>" in page


def test_an_agent_sees_edit_and_the_moves_but_not_the_decisions(client, agent, project):
    client.force_login(agent)
    page = client.get(f"/projets/{project.pk}/").content.decode()
    assert f'href="/projets/{project.pk}/modifier/">Modifier</a>' in page
    assert ">Abandonner</button>" in page
    assert ">Programmer</button>" not in page and ">Refuser</button>" not in page
    assert "Date du comité" not in page


def test_the_direction_decides_with_the_committee_date(client, project, user_in):
    project.year.programming_committee_on = date(2021, 3, 30)
    project.year.save()
    client.force_login(user_in(roles.DIRECTION))

    page = client.get(f"/projets/{project.pk}/").content.decode()

    assert ">Programmer</button>" in page and ">Refuser</button>" in page
    assert '<label for="decision-date-programme">Date du comité</label>' in page
    dates = elements(page, "input", name="decision_date")
    assert dates and {field["value"] for field in dates} == {"2021-03-30"}
    assert f'action="/projets/{project.pk}/statut/"' in page


def test_a_reader_sees_no_button(client, project):
    reader = UserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(reader)
    page = client.get(f"/projets/{project.pk}/").content.decode()
    assert "Modifier</a>" not in page
    assert "Faire avancer le dossier" not in page


def test_the_comite_cannot_open_a_dossier(client, project, user_in):
    client.force_login(user_in(roles.COMITE))
    assert client.get(f"/projets/{project.pk}/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, project):
    response = client.get(f"/projets/{project.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_an_unknown_dossier_is_404(client, agent):
    client.force_login(agent)
    assert client.get("/projets/999999/").status_code == 404


def _queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_query_count_does_not_grow_with_the_dossier(client, agent, project):
    client.force_login(agent)
    url = f"/projets/{project.pk}/"
    _queries_of(client, url)  # warm the session and the permission cache's first loads
    before = _queries_of(client, url)

    for code in ["commune", "fse", "bailleur", "france_travail"]:
        FundingLineFactory(project=project, funder=funder(code))
    project.quartiers.add(quartier("QP062011"), quartier("QP062012"), quartier("QP062004"))
    for number in range(3):
        Indicator.objects.create(project=project, label=f"Indicateur {number}", expected=number)
        StatusChange.objects.create(
            project=project, from_status="depose", to_status="en_instruction", changed_by=UserFactory()
        )

    assert _queries_of(client, url) == before
    # 14 before the journal of changes, which reads four more (tests/test_audit_trail.py).
    assert before <= 18

"""Creating and editing a dossier with its funding lines, through the browser's form."""

from decimal import Decimal

import pytest

from projects.forms import FrenchDecimalField
from projects.models import (
    FundingLine,
    Indicator,
    Nature,
    Operator,
    ProgrammeYear,
    Project,
    Status,
    StatusChange,
)
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProjectFactory,
    funder,
    pillar,
    quartier,
    theme,
)
from tests.html import element

pytestmark = pytest.mark.django_db

VALID_SIRET = "73282932000074"


@pytest.fixture
def operator():
    return OperatorFactory(name="Maison de quartier du Mont-Liébaut")


def _management(prefix: str, total: int, initial: int = 0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def form_data(operator=None, lines=(), indicators=(), **fields) -> dict:
    """A complete POST of the dossier form; `lines` are dicts of a funding line's fields."""
    data = {
        "year": "2024",
        "reference": "2024-001",
        "title": "Ateliers d'inclusion numérique",
        "description": "Des ateliers hebdomadaires.",
        "operator": str(operator.pk) if operator else "",
        "new_operator_name": "",
        "new_operator_kind": "",
        "new_operator_siret": "",
        "partner": "",
        "pillar": str(pillar("cohesion_sociale").pk),
        "theme": str(theme("1.1").pk),
        "quartiers": [str(quartier("QP062004").pk)],
        "budget": "",
        "start_date": "2024-01-15",
        "end_date": "2024-12-31",
        "expected_results": "40 aidants formés",
        "achieved_results": "",
        "fcs_axis": "",
        **_management("lignes", len(lines)),
        **_management("indicateurs", len(indicators)),
    }
    for index, line in enumerate(lines):
        data.update({f"lignes-{index}-{name}": value for name, value in line.items()})
    for index, indicator in enumerate(indicators):
        data.update({f"indicateurs-{index}-{name}": value for name, value in indicator.items()})
    data.update(fields)
    return data


def line(code: str, requested: str, granted: str = "", nature: str = "", **extra) -> dict:
    return {
        "funder": str(funder(code).pk),
        "nature": nature,
        "amount_requested": requested,
        "amount_granted": granted,
        **extra,
    }


def error_of(html: str, field_id: str) -> str:
    """The text of the error list rendered next to the field `field_id`."""
    return element(html, "ul", id=f"{field_id}_error", class_="errorlist").text


# French amounts


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1 234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1 234 €", Decimal("1234.00")),
        ("1\u00a0234,5", Decimal("1234.50")),
        ("1\u202f000\u202f000", Decimal("1000000.00")),
    ],
)
def test_a_french_amount_is_read_exactly(typed, expected):
    assert FrenchDecimalField().clean(typed) == expected


def test_an_invalid_amount_is_refused_in_french():
    with pytest.raises(Exception) as error:
        FrenchDecimalField().clean("12,345,6")
    assert error.value.messages == ["« 12,345,6 » n'est pas un montant."]


def test_an_amount_is_shown_back_the_french_way():
    field = FrenchDecimalField()
    assert field.prepare_value(Decimal("1234.5")) == "1 234,50"
    assert field.prepare_value(Decimal("6931463")) == "6 931 463,00"
    assert field.prepare_value(Decimal("1234.56")) == "1 234,56"
    assert field.prepare_value("12,345,6") == "12,345,6"
    assert field.widget_attrs(field.widget)["inputmode"] == "decimal"


# Creating


def test_the_empty_form_offers_the_current_year_and_three_lines(agent_client):
    page = agent_client.get("/projets/nouveau/").content.decode()
    assert element(page, "input", name="year")["value"]
    assert element(page, "input", name="lignes-TOTAL_FORMS")["value"] == "3"
    assert "Par défaut du financeur" in page
    assert "Enregistrer le brouillon" in page and "Enregistrer et déposer" in page
    assert "<template data-formset-template>" in page and "lignes-__prefix__-amount_requested" in page


def test_a_dossier_is_created_with_two_lines_in_french_amounts(agent_client, operator):
    data = form_data(
        operator,
        lines=[line("anct", "1 234,56", "1 000"), line("region", "10 000,10", nature="specifique")],
        budget="11 234,66",
    )

    response = agent_client.post("/projets/nouveau/", data)

    project = Project.objects.get(year_id=2024, reference="2024-001")
    assert response.status_code == 302 and response["Location"] == f"/projets/{project.pk}/"
    assert project.status == Status.BROUILLON
    assert project.operator == operator
    assert project.budget == Decimal("11234.66")
    assert list(project.quartiers.values_list("code_2015", flat=True)) == ["QP062004"]
    lines = list(project.funding_lines.order_by("position"))
    assert [
        (li.funder.code, li.nature, li.amount_requested, li.amount_granted, li.position) for li in lines
    ] == [
        ("anct", Nature.SPECIFIQUE, Decimal("1234.56"), Decimal("1000.00"), 0),
        ("region", Nature.SPECIFIQUE, Decimal("10000.10"), None, 1),
    ]
    change = StatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status) == ("", Status.BROUILLON)


def test_save_and_file_records_the_filing(agent_client, operator):
    data = form_data(operator, lines=[line("caf", "500")], action="deposer")

    agent_client.post("/projets/nouveau/", data)

    project = Project.objects.get(reference="2024-001")
    assert project.status == Status.DEPOSE
    assert list(project.status_changes.values_list("from_status", "to_status")) == [
        ("", "brouillon"),
        ("brouillon", "depose"),
    ]


def test_a_missing_programme_year_is_created(agent_client, operator):
    assert not ProgrammeYear.objects.filter(year=2031).exists()
    agent_client.post("/projets/nouveau/", form_data(operator, year="2031"))
    assert Project.objects.get(reference="2024-001").year_id == 2031


def test_empty_extra_lines_are_ignored(agent_client, operator):
    empty = {"funder": "", "nature": "", "amount_requested": "", "amount_granted": ""}
    data = form_data(operator, lines=[line("anct", "100"), empty, empty])
    agent_client.post("/projets/nouveau/", data)
    assert FundingLine.objects.count() == 1


def test_indicators_are_saved_with_french_numbers(agent_client, operator):
    data = form_data(
        operator,
        indicators=[
            {"label": "Aidants numériques formés", "unit": "personnes", "expected": "40", "achieved": "42,5"}
        ],
    )
    agent_client.post("/projets/nouveau/", data)
    indicator = Indicator.objects.get()
    assert (indicator.label, indicator.expected, indicator.achieved) == (
        "Aidants numériques formés",
        Decimal("40.00"),
        Decimal("42.50"),
    )


# Errors


def test_an_invalid_amount_is_shown_next_to_it_and_the_typed_data_kept(agent_client, operator):
    data = form_data(operator, lines=[line("anct", "12,345,6")], title="Titre tapé à la main")

    response = agent_client.post("/projets/nouveau/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert error_of(page, "id_lignes-0-amount_requested") == "« 12,345,6 » n'est pas un montant."
    assert 'value="12,345,6"' in page
    assert 'value="Titre tapé à la main"' in page
    assert 'aria-describedby="id_lignes-0-amount_requested_error"' in page
    # The summary at the top links to the field.
    assert (
        'href="#id_lignes-0-amount_requested">Ligne de financement 1, Montant demandé (€) : « 12,345,6 »'
        in page
    )
    assert not Project.objects.exists()


def test_a_theme_of_another_pillar_is_refused_next_to_the_theme(agent_client, operator):
    data = form_data(operator, pillar=str(pillar("cohesion_sociale").pk), theme=str(theme("2.1").pk))

    response = agent_client.post("/projets/nouveau/", data)

    assert response.status_code == 200
    assert error_of(response.content.decode(), "id_theme") == (
        "La thématique 2.1 n'appartient pas au pilier Cohésion sociale."
    )
    assert not Project.objects.exists()


def test_a_duplicate_reference_in_the_year_is_refused_next_to_it(agent_client, operator):
    ProjectFactory(year__year=2024, reference="2024-001")

    response = agent_client.post("/projets/nouveau/", form_data(operator))

    assert response.status_code == 200
    assert error_of(response.content.decode(), "id_reference") == (
        "Le numéro de dossier « 2024-001 » existe déjà pour l'année 2024."
    )
    assert Project.objects.count() == 1


def test_the_same_reference_in_another_year_is_fine(agent_client, operator):
    ProjectFactory(year__year=2023, reference="2024-001")
    assert agent_client.post("/projets/nouveau/", form_data(operator)).status_code == 302


def test_end_before_start_is_refused_next_to_the_end_date(agent_client, operator):
    response = agent_client.post(
        "/projets/nouveau/", form_data(operator, start_date="2024-06-01", end_date="2024-01-01")
    )
    assert error_of(response.content.decode(), "id_end_date") == "La date de fin précède la date de début."


# Operators


def test_a_new_operator_is_created_on_the_spot_with_its_siret(agent_client):
    data = form_data(
        new_operator_name="Les Ateliers du Regain",
        new_operator_kind="association",
        new_operator_siret="732 829 320 00074",
    )

    response = agent_client.post("/projets/nouveau/", data)

    assert response.status_code == 302
    created = Operator.objects.get(name="Les Ateliers du Regain")
    assert (created.kind, created.siret) == ("association", VALID_SIRET)
    assert Project.objects.get().operator == created


def test_an_invalid_siret_is_refused_and_nothing_created(agent_client):
    data = form_data(
        new_operator_name="Les Ateliers du Regain",
        new_operator_kind="association",
        new_operator_siret="73282932000075",
    )

    response = agent_client.post("/projets/nouveau/", data)

    assert response.status_code == 200
    assert error_of(response.content.decode(), "id_new_operator_siret") == (
        "Le SIRET « 73282932000075 » n'est pas valide (clé de contrôle incorrecte)."
    )
    assert not Operator.objects.exists() and not Project.objects.exists()


def test_a_siret_already_known_points_to_its_operator(agent_client):
    OperatorFactory(name="Régie de quartier", siret=VALID_SIRET)
    data = form_data(
        new_operator_name="Régie", new_operator_kind="association", new_operator_siret=VALID_SIRET
    )
    response = agent_client.post("/projets/nouveau/", data)
    assert "« Régie de quartier » a déjà ce SIRET" in error_of(
        response.content.decode(), "id_new_operator_siret"
    )


def test_an_operator_is_required(agent_client):
    response = agent_client.post("/projets/nouveau/", form_data())
    assert error_of(response.content.decode(), "id_operator") == (
        "Choisissez un porteur existant, ou saisissez le nom et le type d'un nouveau porteur."
    )


def test_an_existing_and_a_new_operator_together_are_refused(agent_client, operator):
    response = agent_client.post(
        "/projets/nouveau/", form_data(operator, new_operator_name="Autre", new_operator_kind="association")
    )
    assert error_of(response.content.decode(), "id_operator") == (
        "Choisissez un porteur existant ou décrivez un nouveau porteur, pas les deux."
    )
    assert Operator.objects.count() == 1


def test_a_new_operator_needs_its_kind(agent_client):
    response = agent_client.post("/projets/nouveau/", form_data(new_operator_name="Les Ateliers du Regain"))
    assert (
        error_of(response.content.decode(), "id_new_operator_kind") == "Précisez le type du nouveau porteur."
    )


# Budget


def test_a_plan_that_misses_the_budget_saves_with_a_warning(agent_client, operator):
    data = form_data(operator, lines=[line("anct", "1 000"), line("caf", "500")], budget="2 000")

    response = agent_client.post("/projets/nouveau/", data, follow=True)

    assert response.status_code == 200
    assert Project.objects.exists()
    page = response.content.decode()
    assert (
        "Le total demandé du plan de financement (1\u00a0500,00\u00a0€) diffère du budget de l'action "
        "(2\u00a0000,00\u00a0€) : écart de 500,00\u00a0€." in page.replace("&#x27;", "'")
    )
    assert "message--warning" in page


def test_a_plan_that_matches_the_budget_gives_no_warning(agent_client, operator):
    data = form_data(operator, lines=[line("anct", "1 500")], budget="1 500,00")
    response = agent_client.post("/projets/nouveau/", data, follow=True)
    assert "diffère du budget" not in response.content.decode()


# Editing


def test_editing_removes_a_line_and_adds_one(agent_client, operator):
    project = ProjectFactory(
        year__year=2024, reference="2024-001", operator=operator, status=Status.EN_INSTRUCTION
    )
    kept = FundingLineFactory(
        project=project, funder=funder("anct"), amount_requested=Decimal("1000.00"), position=0
    )
    removed = FundingLineFactory(
        project=project, funder=funder("caf"), amount_requested=Decimal("200.00"), position=1
    )
    data = form_data(
        operator,
        lines=[
            line("anct", "1 000,00", "900", id=str(kept.pk), project=str(project.pk)),
            line("caf", "200,00", id=str(removed.pk), project=str(project.pk), DELETE="on"),
            line("commune", "3 000,50"),
        ],
    )
    data["lignes-INITIAL_FORMS"] = "2"
    data["version"] = str(project.version)

    response = agent_client.post(f"/projets/{project.pk}/modifier/", data)

    assert response.status_code == 302
    assert not FundingLine.objects.filter(pk=removed.pk).exists()
    lines = list(
        project.funding_lines.order_by("position").values_list(
            "funder__code", "amount_requested", "amount_granted"
        )
    )
    assert lines == [("anct", Decimal("1000.00"), Decimal("900.00")), ("commune", Decimal("3000.50"), None)]
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION  # editing never moves the workflow


def test_the_edit_form_shows_amounts_the_french_way(agent_client, operator):
    project = ProjectFactory(operator=operator, budget=Decimal("12345.60"))
    FundingLineFactory(project=project, amount_requested=Decimal("1234.56"), amount_granted=None)

    page = agent_client.get(f"/projets/{project.pk}/modifier/").content.decode()

    budget = element(page, "input", name="budget")
    assert (budget["value"], budget["inputmode"]) == ("12 345,60", "decimal")
    assert element(page, "input", name="lignes-0-amount_requested")["value"] == "1 234,56"
    assert element(page, "input", name="year")["value"] == "2021"
    # A line that follows its funder's default shows the default, not the explicit nature.
    nature = element(page, "select", name="lignes-0-nature")
    assert [(option["value"], option.text) for option in nature.elements("option", selected=True)] == [
        ("", "Par défaut du financeur")
    ]


def test_changing_the_funder_of_a_default_line_changes_its_nature(agent_client, operator):
    # In instruction: a programmed dossier's granted lines are the comité's (test_import_rights.py).
    project = ProjectFactory(
        year__year=2024, reference="2024-001", operator=operator, status=Status.EN_INSTRUCTION
    )
    existing = FundingLineFactory(project=project, funder=funder("anct"))
    assert existing.nature == Nature.SPECIFIQUE
    data = form_data(operator, lines=[line("caf", "1 000", id=str(existing.pk), project=str(project.pk))])
    data["lignes-INITIAL_FORMS"] = "1"
    data["version"] = str(project.version)

    agent_client.post(f"/projets/{project.pk}/modifier/", data)

    existing.refresh_from_db()
    assert (existing.funder.code, existing.nature) == ("caf", Nature.DROIT_COMMUN)


# Who may


@pytest.mark.parametrize("url", ["/projets/nouveau/", "/projets/{pk}/modifier/"])
def test_the_comite_may_not_create_or_edit(comite_client, url):
    project = ProjectFactory()
    assert comite_client.get(url.format(pk=project.pk)).status_code == 403
    assert comite_client.post(url.format(pk=project.pk), {}).status_code == 403


@pytest.mark.parametrize("url", ["/projets/nouveau/", "/projets/{pk}/modifier/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    project = ProjectFactory()
    response = client.get(url.format(pk=project.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_the_direction_may_create(direction_client, operator):
    assert direction_client.post("/projets/nouveau/", form_data(operator)).status_code == 302

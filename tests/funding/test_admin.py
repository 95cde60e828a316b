"""The administration of the funding app, and the funding side it adds to the dossiers and the
programme years: funding-line inline, totals in French format, fonds de concours inline."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.results import RowResult
from simple_history.models import HistoricalChanges

from funding.admin import FondsDeConcoursInline, FundingLineInline
from funding.models import Envelope, FondsDeConcours, Funder, FundingLine
from funding.resources import FunderResource
from projects.models import ProgrammeYear, Project, Quartier
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    funder,
)

pytestmark = pytest.mark.django_db

FUNDING_MODELS = [Funder, FundingLine, FondsDeConcours, Envelope]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def normalise_spaces(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def an_object_of(model):
    if model is FundingLine:
        return FundingLineFactory()
    if model is FondsDeConcours:
        return FondsDeConcoursFactory()
    if model is Envelope:
        return Envelope.objects.create(
            funder=funder("anct"), year=ProgrammeYearFactory(), amount=Decimal("1000")
        )
    return model.objects.first()


def a_funded_project(**kwargs):
    """A dossier in two quartiers with three funding lines, as in a real programmation."""
    project = ProjectFactory(**kwargs)
    project.quartiers.set(Quartier.objects.all()[:2])
    for code in ("anct", "caf", "cabbalr_fcs"):
        FundingLineFactory(project=project, funder=funder(code))
    return project


def test_every_model_of_the_app_is_registered():
    # The audit trail's historical models are read through their model's "Historique" page.
    models = {m for m in apps.get_app_config("funding").get_models() if not issubclass(m, HistoricalChanges)}
    assert models == set(FUNDING_MODELS)
    for model in FUNDING_MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", FUNDING_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_add_pages_open_for_a_superuser(admin_client, model):
    an_object_of(model)

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", FUNDING_MODELS, ids=lambda model: model.__name__)
def test_change_page_opens_for_an_existing_object(admin_client, model):
    obj = an_object_of(model)

    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_the_dossier_admin_edits_the_funding_lines():
    assert FundingLineInline in admin.site.get_model_admin(Project).inlines


def test_the_programme_year_admin_edits_the_fonds_de_concours():
    assert FondsDeConcoursInline in admin.site.get_model_admin(ProgrammeYear).inlines


def test_project_changelist_runs_the_same_queries_for_3_or_30_dossiers(admin_client):
    url = admin_url(Project, "changelist")
    admin_client.get(url)

    for _ in range(3):
        a_funded_project()
    with CaptureQueriesContext(connection) as with_3:
        assert admin_client.get(url).status_code == 200
    for _ in range(27):
        a_funded_project()
    with CaptureQueriesContext(connection) as with_30:
        response = admin_client.get(url)

    assert response.context["cl"].result_count == 30
    assert len(with_30) == len(with_3)


def test_funding_changelists_run_the_same_queries_for_3_or_30_rows(admin_client):
    def add_rows(count):
        for _ in range(count):
            a_funded_project()
            FondsDeConcoursFactory()

    urls = [admin_url(FundingLine, "changelist"), admin_url(FondsDeConcours, "changelist")]
    for url in urls:
        admin_client.get(url)
    add_rows(1)
    counts_before = []
    for url in urls:
        with CaptureQueriesContext(connection) as context:
            admin_client.get(url)
        counts_before.append(len(context))
    add_rows(10)
    counts_after = []
    for url in urls:
        with CaptureQueriesContext(connection) as context:
            admin_client.get(url)
        counts_after.append(len(context))

    assert counts_after == counts_before


def test_project_changelist_shows_the_totals_in_french_format(admin_client):
    project = ProjectFactory(reference="D2021-042")
    FundingLineFactory(
        project=project, amount_requested=Decimal("1000.00"), amount_granted=Decimal("1000.00")
    )
    FundingLineFactory(project=project, amount_requested=Decimal("500.00"), amount_granted=None)

    response = admin_client.get(admin_url(Project, "changelist"))

    text = normalise_spaces(response.text)
    assert "1 500,00 €" in text
    assert "1 000,00 €" in text


def test_large_totals_are_grouped_by_thousands(admin_client):
    FundingLineFactory(amount_requested=Decimal("6931463.00"))

    response = admin_client.get(admin_url(Project, "changelist"))

    assert "6 931 463,00 €" in normalise_spaces(response.text)


@pytest.mark.parametrize(
    "filters",
    [{}, {"quartiers__id__exact": "QUARTIER"}, {"funding_lines__funder__id__exact": "FUNDER"}],
    ids=["unfiltered", "by quartier", "by funder"],
)
def test_filters_do_not_multiply_the_totals(admin_client, filters):
    project = a_funded_project()
    query = {
        key: {"QUARTIER": project.quartiers.first().pk, "FUNDER": funder("caf").pk}[value]
        for key, value in filters.items()
    }

    response = admin_client.get(admin_url(Project, "changelist"), query)

    [row] = response.context["cl"].result_list
    assert (row.total_requested, row.total_granted) == (Decimal("3000.00"), Decimal("3000.00"))


def test_a_dossier_without_funding_lines_requests_zero(admin_client):
    ProjectFactory()

    response = admin_client.get(admin_url(Project, "changelist"))

    [row] = response.context["cl"].result_list
    assert (row.total_requested, row.total_granted) == (Decimal("0.00"), None)


def test_the_change_page_shows_the_funding_plan(admin_client):
    project = ProjectFactory(budget=Decimal("4000.00"))
    FundingLineFactory(
        project=project, amount_requested=Decimal("2000.00"), amount_granted=Decimal("1500.00")
    )
    FundingLineFactory(
        project=project, amount_requested=Decimal("1000.00"), amount_granted=Decimal("1000.00")
    )

    response = admin_client.get(admin_url(Project, "change", project.pk))

    text = normalise_spaces(response.text)
    assert "2 ligne(s) : demandé 3 000,00 €, accordé 2 500,00 €" in text
    assert "(63 % du budget" in text


def test_the_programme_year_change_page_lists_its_fonds_de_concours(admin_client):
    year = ProgrammeYearFactory(year=2021)
    FondsDeConcoursFactory(year=year, project_title="Réfection du city stade")

    response = admin_client.get(admin_url(ProgrammeYear, "change", year.pk))

    assert "Réfection du city stade" in response.text


def test_funder_import_and_export_pages_open(admin_client):
    assert admin_client.get(admin_url(Funder, "import")).status_code == 200
    assert admin_client.get(admin_url(Funder, "export")).status_code == 200


def test_funder_export_is_in_french_and_imports_back_unchanged():
    dataset = FunderResource().export()
    anct = next(row for row in dataset.dict if row["Code"] == "anct")
    assert (anct["Nature par défaut"], anct["Actif"]) == ("Crédits spécifiques", "oui")

    result = FunderResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals[RowResult.IMPORT_TYPE_UPDATE] == 0
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 0

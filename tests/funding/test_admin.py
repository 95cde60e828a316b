"""The administration of the funding app, and the funding side it adds to the dossiers and the
programme years: funding-line inline, totals in French format, fonds de concours inline; a
funding line written in the admin gives its dossier the next version; the funders' spreadsheet
import and export through the hardened reader."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.results import RowResult
from simple_history.models import HistoricalChanges

from funding.models import CompteRendu, CompteRenduLine, Envelope, FondsDeConcours, Payment
from projects.admin import FundingLineInline
from projects.models import Funder, FundingLine, Project, Quartier, Status
from projects.resources import FunderResource
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
    # Funders and funding lines belong to the projects app (the dossier's financial plan): their
    # admin pages are checked here with the rest of the money.
    models = {m for m in apps.get_app_config("funding").get_models() if not issubclass(m, HistoricalChanges)}
    assert models == {FondsDeConcours, Envelope, Payment, CompteRendu, CompteRenduLine}
    for model in [*FUNDING_MODELS, Payment, CompteRendu, CompteRenduLine]:
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


def test_the_fonds_de_concours_are_listed_by_year(admin_client):
    fonds = FondsDeConcoursFactory()

    page = admin_client.get(admin_url(FondsDeConcours, "changelist"), {"year__year__exact": fonds.year_id})

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [fonds]


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


# --- A funding line written in the admin: the dossier's next version -------------------------


def line_form_data(line, **changes):
    return {
        "funder": line.funder_id,
        "nature": line.nature,
        "amount_requested": str(line.amount_requested),
        "amount_granted": "" if line.amount_granted is None else str(line.amount_granted),
        "position": line.position,
        "dossier_version": line.project.version,
    } | changes


def test_a_granted_amount_corrected_in_the_admin_gives_the_dossier_its_next_version(admin_client):
    project = ProjectFactory(status=Status.PROGRAMME)
    line = FundingLineFactory(project=project, amount_granted=Decimal("1000.00"))
    version = Project.objects.get(pk=project.pk).version

    response = admin_client.post(
        admin_url(FundingLine, "change", line.pk), line_form_data(line, amount_granted="1200.00")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    line.refresh_from_db()
    assert line.amount_granted == Decimal("1200.00")
    assert Project.objects.get(pk=project.pk).version == version + 1


def test_a_funding_line_saved_over_a_newer_version_of_its_dossier_is_refused(admin_client):
    line = FundingLineFactory(amount_granted=Decimal("1000.00"))
    opened = line_form_data(line, amount_granted="1200.00")
    Project.objects.filter(pk=line.project_id).update(version=line.project.version + 1)

    response = admin_client.post(admin_url(FundingLine, "change", line.pk), opened)

    assert response.status_code == 200
    assert "Ce dossier a été modifié" in response.text
    line.refresh_from_db()
    assert line.amount_granted == Decimal("1000.00")


def test_a_funding_line_stays_with_its_dossier(admin_client):
    line = FundingLineFactory()

    response = admin_client.get(admin_url(FundingLine, "change", line.pk))

    assert "project" not in response.context["adminform"].form.fields


def test_funding_lines_deleted_in_the_admin_give_their_dossiers_the_next_version(admin_client):
    lines = [FundingLineFactory(), FundingLineFactory()]
    versions = {line.project_id: line.project.version for line in lines}

    response = admin_client.post(
        admin_url(FundingLine, "changelist"),
        {"action": "delete_selected", "_selected_action": [line.pk for line in lines], "post": "yes"},
    )

    assert response.status_code == 302
    assert not FundingLine.objects.filter(pk__in=[line.pk for line in lines]).exists()
    assert {p.pk: p.version for p in Project.objects.filter(pk__in=versions)} == {
        pk: version + 1 for pk, version in versions.items()
    }


def test_a_funding_line_added_in_the_dossiers_inline_gives_it_one_next_version(admin_client):
    project = ProjectFactory(status=Status.PROGRAMME)
    version = project.version
    data = {
        "year": project.year_id,
        "reference": project.reference,
        "title": project.title,
        "operator": project.operator_id,
        "pillar": project.pillar_id,
        "theme": project.theme_id,
        "dossier_version": version,
        "indicators-TOTAL_FORMS": 0,
        "indicators-INITIAL_FORMS": 0,
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "funding_lines-TOTAL_FORMS": 1,
        "funding_lines-INITIAL_FORMS": 0,
        "funding_lines-0-funder": funder("caf").pk,
        "funding_lines-0-nature": "droit_commun",
        "funding_lines-0-amount_requested": "2500.00",
        "funding_lines-0-amount_granted": "2500.00",
        "funding_lines-0-position": 0,
    }

    response = admin_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.version == version + 1
    assert project.status == Status.PROGRAMME
    assert [(line.funder.code, line.amount_granted) for line in project.funding_lines.all()] == [
        ("caf", Decimal("2500.00"))
    ]


# --- The funders' spreadsheet import and export ----------------------------------------------


def test_funders_exported_as_xlsx_from_the_admin_import_back_unchanged(admin_client):
    before = list(Funder.objects.order_by("code").values())
    exported = admin_client.post(
        admin_url(Funder, "export"),
        {
            "format": "1",
            "resource": "0",
            **{f"funderresource_{name}": "on" for name in FunderResource.Meta.fields},
        },
    )
    assert exported.status_code == 200
    assert exported.content.startswith(b"PK")

    upload = SimpleUploadedFile("financeurs.xlsx", exported.content)
    preview = admin_client.post(
        admin_url(Funder, "import"), {"resource": "0", "format": "1", "import_file": upload}
    )
    assert preview.status_code == 200, preview.context["form"].errors
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    response = admin_client.post(admin_url(Funder, "process_import"), preview.context["confirm_form"].initial)

    assert response.status_code == 302
    assert result.totals[RowResult.IMPORT_TYPE_SKIP] == len(before)
    assert list(Funder.objects.order_by("code").values()) == before

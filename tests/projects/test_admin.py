"""The administration of the projects app: every model registered and reachable, changelists
whose number of queries does not grow with the rows, and the import-export resources."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.results import RowResult
from simple_history.models import HistoricalChanges

from projects.models import (
    Commune,
    Indicator,
    Operator,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Quartier,
    QuartierKind,
    Status,
    StatusChange,
    Theme,
)
from projects.resources import CommuneResource, OperatorResource, QuartierResource, ThemeResource
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory, UserFactory, commune, theme

pytestmark = pytest.mark.django_db

PROJECTS_MODELS = [
    Pillar,
    Theme,
    Commune,
    Quartier,
    Operator,
    ProgrammeYear,
    Project,
    Indicator,
    StatusChange,
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def an_object_of(model):
    """An existing row of the model: reference data comes from the migrations, the rest is built."""
    if model is Operator:
        return OperatorFactory()
    if model is ProgrammeYear:
        return ProgrammeYearFactory()
    if model is Project:
        return ProjectFactory()
    if model is Indicator:
        return Indicator.objects.create(project=ProjectFactory(), label="Aidants formés", expected=42)
    if model is StatusChange:
        return StatusChange.objects.create(project=ProjectFactory(), from_status="", to_status=Status.DEPOSE)
    return model.objects.first()


def test_every_model_of_the_app_is_registered():
    # The audit trail's historical models are read through their model's "Historique" page.
    models = {m for m in apps.get_app_config("projects").get_models() if not issubclass(m, HistoricalChanges)}
    assert models == set(PROJECTS_MODELS)
    for model in PROJECTS_MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", PROJECTS_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_add_pages_open_for_a_superuser(admin_client, model):
    an_object_of(model)

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", PROJECTS_MODELS, ids=lambda model: model.__name__)
def test_change_page_opens_for_an_existing_object(admin_client, model):
    obj = an_object_of(model)

    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [Pillar, Theme, Commune, Quartier, Operator], ids=lambda model: model.__name__
)
def test_import_and_export_pages_open_for_reference_data_and_operators(admin_client, model):
    assert admin_client.get(admin_url(model, "import")).status_code == 200
    assert admin_client.get(admin_url(model, "export")).status_code == 200


def test_a_user_without_staff_status_is_sent_to_the_login_page(client):
    client.force_login(UserFactory(username="agent", is_staff=False))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_operator_changelist_runs_the_same_queries_for_3_or_30_operators(admin_client):
    def add_operators(count):
        for _ in range(count):
            operator = OperatorFactory(commune=commune())
            ProjectFactory.create_batch(2, operator=operator)

    url = admin_url(Operator, "changelist")
    admin_client.get(url)
    add_operators(3)
    with_3 = count_queries(admin_client, url)
    add_operators(27)
    with_30 = count_queries(admin_client, url)

    assert with_30 == with_3


def test_operator_changelist_counts_the_dossiers(admin_client):
    operator = OperatorFactory(name="Maison des jeunes de Bruay")
    ProjectFactory.create_batch(3, operator=operator)

    response = admin_client.get(admin_url(Operator, "changelist"))

    assert response.context["cl"].result_list.get(pk=operator.pk).project_count == 3
    assert "Maison des jeunes de Bruay" in response.text


def test_quartier_changelist_runs_the_same_queries_for_3_or_30_more_quartiers(admin_client):
    two_communes = list(Commune.objects.all()[:2])
    created = 0

    def add_quartiers(count):
        nonlocal created
        for _ in range(count):
            created += 1
            quartier = Quartier.objects.create(
                kind=QuartierKind.VEILLE, name=f"Veille {created}", local_code=f"VA{created:03d}"
            )
            quartier.communes.set(two_communes)

    url = admin_url(Quartier, "changelist")
    admin_client.get(url)
    add_quartiers(3)
    with_3 = count_queries(admin_client, url)
    add_quartiers(27)
    with_30 = count_queries(admin_client, url)

    assert with_30 == with_3


def test_quartier_changelist_lists_the_communes_of_each_quartier(admin_client):
    quartier = Quartier.objects.create(
        kind=QuartierKind.VEILLE, name="Cité des Provinces", local_code="VA001"
    )
    quartier.communes.set(Commune.objects.filter(insee_code="62119"))

    response = admin_client.get(admin_url(Quartier, "changelist"), {"q": "VA001"})

    assert commune("62119").name in response.text


def test_the_year_of_an_existing_programme_year_cannot_be_edited(admin_client):
    year = ProgrammeYearFactory(year=2022)

    response = admin_client.get(admin_url(ProgrammeYear, "change", year.pk))

    assert "year" not in response.context["adminform"].form.fields


def test_changing_the_status_in_the_admin_records_a_status_change(admin_client, admin_user):
    project = ProjectFactory(status=Status.DEPOSE, title="Atelier numérique")
    data = {
        "year": project.year_id,
        "reference": project.reference,
        "title": project.title,
        "status": Status.PROGRAMME,
        "operator": project.operator_id,
        "pillar": project.pillar_id,
        "theme": project.theme_id,
    }
    # Every inline of the registered admin posts its management form.
    for prefix in ("indicators", "status_changes", "funding_lines"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = admin_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    change = StatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.DEPOSE,
        Status.PROGRAMME,
        admin_user,
    )


def test_theme_export_gives_the_pillar_by_its_code():
    dataset = ThemeResource().export()

    row = next(row for row in dataset.dict if row["Code"] == "1.1")
    assert row["Code du pilier"] == theme("1.1").pillar.code


def test_theme_import_finds_the_pillar_by_its_code():
    dataset = ThemeResource().export()
    dataset.append(["9.9", "Thématique d'essai", "emploi", "99"])

    result = ThemeResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Theme.objects.get(code="9.9").pillar.code == "emploi"


def test_commune_round_trip_changes_nothing():
    before = list(Commune.objects.values_list("insee_code", "name"))
    dataset = CommuneResource().export()

    result = CommuneResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 0
    assert result.totals[RowResult.IMPORT_TYPE_UPDATE] == 0
    assert result.totals[RowResult.IMPORT_TYPE_SKIP] == len(before)
    assert list(Commune.objects.values_list("insee_code", "name")) == before


def test_quartier_round_trip_keeps_codes_and_communes():
    dataset = QuartierResource().export()

    result = QuartierResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 0
    assert result.totals[RowResult.IMPORT_TYPE_UPDATE] == 0


def test_quartier_import_creates_a_quartier_de_veille_with_its_communes():
    dataset = QuartierResource().export()
    dataset.append(["", "", "va001", "Cité des Provinces", "Quartier de veille active", "62119|62023"])

    result = QuartierResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    quartier = Quartier.objects.get(local_code="VA001")
    assert (quartier.kind, quartier.code_2015) == (QuartierKind.VEILLE, None)
    assert set(quartier.communes.values_list("insee_code", flat=True)) == {"62119", "62023"}


def test_operator_export_is_readable_by_a_person():
    operator = OperatorFactory(name="Centre social Jacques Brel", commune=commune("62119"))
    ProjectFactory(operator=operator)

    row = next(row for row in OperatorResource().export().dict if row["Identifiant"] == str(operator.pk))

    assert row["Type de porteur"] == "Association"
    assert row["Code INSEE de la commune du siège"] == "62119"
    assert row["Commune du siège"] == commune("62119").name
    assert str(row["Nombre de dossiers"]) == "1"


def test_operator_import_reads_the_kind_by_its_label_and_creates_without_id():
    dataset = OperatorResource().export()
    dataset.append(["", "Ville de Béthune", "Commune", "", "62119", "", "", "", ""])

    result = OperatorResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    operator = Operator.objects.get(name="Ville de Béthune")
    assert (operator.kind, operator.commune.insee_code) == (OperatorKind.COMMUNE, "62119")


def test_operator_import_rejects_an_unknown_kind():
    dataset = OperatorResource().export()
    dataset.append(["", "Collectif inconnu", "Fondation", "", "", "", "", "", ""])

    result = OperatorResource().import_data(dataset, dry_run=True)

    assert result.has_validation_errors()
    assert not Operator.objects.filter(name="Collectif inconnu").exists()


def test_operator_ids_are_exported_as_plain_digits():
    operator = OperatorFactory(name="Association des cinq chiffres")
    Operator.objects.filter(pk=operator.pk).update(id=12345)

    row = next(row for row in OperatorResource().export().dict if row["Nom"] == operator.name)

    assert row["Identifiant"] == "12345"

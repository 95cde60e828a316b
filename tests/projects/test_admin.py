"""The administration of the projects app: every model registered and reachable, changelists
whose number of queries does not grow with the rows, the import-export resources, and what the
admin may not do even for an administrator: move a status, write the bilan's texts, create a
dossier or a status change, restore a past version, save over a newer version of a dossier,
import a file the hardened reader refuses."""

from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.results import RowResult
from simple_history.models import HistoricalChanges

from contratville.admin_import import READ_FAILED
from projects.models import (
    Commune,
    Funder,
    FundingLine,
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
from projects.services import project_change_status
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory, commune, theme

pytestmark = pytest.mark.django_db

BAD_FILES = Path(__file__).resolve().parent / "bad_files"

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
    # Funders and funding lines: tests/funding/test_admin.py, with the rest of the money.
    assert models == {*PROJECTS_MODELS, Funder, FundingLine}
    for model in PROJECTS_MODELS:
        assert admin.site.is_registered(model), model


# A dossier starts with the dossier form or the import; a status change is the workflow's.
NO_ADD = [Project, StatusChange]


@pytest.mark.parametrize("model", PROJECTS_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_add_pages_open_for_a_superuser(admin_client, model):
    an_object_of(model)

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model not in NO_ADD:
        assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", NO_ADD, ids=lambda model: model.__name__)
def test_dossiers_and_status_changes_cannot_be_added_in_the_admin(admin_client, model):
    before = model.objects.count()

    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "add"), {"to_status": Status.PROGRAMME}).status_code == 403
    assert model.objects.count() == before
    assert admin_url(model, "add") not in admin_client.get(admin_url(model, "changelist")).text


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


def change_form_data(project, **changes):
    """What the dossier's admin change page posts, with `changes`."""
    data = {
        "year": project.year_id,
        "reference": project.reference,
        "title": project.title,
        "operator": project.operator_id,
        "pillar": project.pillar_id,
        "theme": project.theme_id,
        "dossier_version": project.version,
    }
    # Every inline of the registered admin posts its management form.
    for prefix in ("indicators", "status_changes", "funding_lines"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


def test_the_admin_cannot_change_a_status_a_decision_or_the_bilans_focus(admin_client):
    project = ProjectFactory(status=Status.REFUSE, title="Atelier numérique", decision_date=date(2021, 3, 1))
    data = change_form_data(
        project,
        title="Atelier numérique et citoyen",
        status=Status.PROGRAMME,
        decision_date="2021-06-30",
        is_focus="on",
        focus_order="1",
        focus_description="Écrit dans l'administration",
        focus_objective="Écrit dans l'administration",
        focus_results="Écrit dans l'administration",
    )

    response = admin_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    # The other fields are saved: the workflow's and the bilan's are not.
    assert project.title == "Atelier numérique et citoyen"
    assert (project.status, project.decision_date) == (Status.REFUSE, date(2021, 3, 1))
    assert (project.is_focus, project.focus_order, project.focus_description) == (False, None, "")
    assert (project.focus_objective, project.focus_results) == ("", "")
    assert not StatusChange.objects.filter(project=project).exists()


def test_the_workflow_and_focus_fields_are_shown_read_only(admin_client):
    project = ProjectFactory()

    response = admin_client.get(admin_url(Project, "change", project.pk))

    form = response.context["adminform"].form
    for name in ("status", "decision_date", "version", "is_focus", "focus_order", "focus_description"):
        assert name not in form.fields, name
    assert form.fields["dossier_version"].initial == project.version


def test_an_admin_save_gives_the_dossier_its_next_version(admin_client):
    project = ProjectFactory()
    version = project.version

    admin_client.post(
        admin_url(Project, "change", project.pk), change_form_data(project, title="Nouveau titre")
    )

    project.refresh_from_db()
    assert (project.title, project.version) == ("Nouveau titre", version + 1)


def test_an_admin_save_over_a_newer_version_of_the_dossier_is_refused(admin_client, admin_user):
    project = ProjectFactory(status=Status.DEPOSE, title="Titre lu par l'administrateur")
    opened = change_form_data(project, title="Titre de l'administrateur")
    # Meanwhile, the dossier moves on (a workflow step, a dossier form, an import).
    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=admin_user)
    version = Project.objects.get(pk=project.pk).version

    response = admin_client.post(admin_url(Project, "change", project.pk), opened)

    assert response.status_code == 200
    assert "Ce dossier a été modifié" in response.text
    project.refresh_from_db()
    assert (project.title, project.version) == ("Titre lu par l'administrateur", version)


def test_a_post_without_the_dossiers_version_is_refused(admin_client):
    project = ProjectFactory(title="Titre d'origine")
    data = change_form_data(project, title="Sans version")
    del data["dossier_version"]

    response = admin_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).title == "Titre d'origine"


def test_an_indicator_changed_in_the_admin_gives_its_dossier_the_next_version(admin_client):
    indicator = Indicator.objects.create(project=ProjectFactory(), label="Aidants formés", expected=42)
    version = indicator.project.version
    data = {"label": "Aidants formés", "unit": "", "expected": 50, "achieved": "", "dossier_version": version}

    response = admin_client.post(admin_url(Indicator, "change", indicator.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert (indicator.expected, indicator.project.version) == (50, version + 1)


def test_the_year_texts_of_the_bilan_are_read_only_in_the_admin(admin_client):
    year = ProgrammeYearFactory(year=2022, perspectives_text="Texte de la direction")
    data = {
        "call_opens_on": "",
        "call_closes_on": "",
        "programming_committee_on": "",
        "steering_committee_on": "",
        "fcs_envelope": "92921.00",
        "perspectives_text": "Écrit dans l'administration",
        "context_text": "Écrit dans l'administration",
        "fonds_de_concours-TOTAL_FORMS": 0,
        "fonds_de_concours-INITIAL_FORMS": 0,
    }

    response = admin_client.post(admin_url(ProgrammeYear, "change", year.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    year.refresh_from_db()
    assert str(year.fcs_envelope) == "92921.00"
    assert (year.perspectives_text, year.context_text) == ("Texte de la direction", "")


def test_a_past_version_is_shown_but_never_restored(admin_client, admin_user):
    project = ProjectFactory(status=Status.DEPOSE)
    first = project.history.order_by("history_id").first()
    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=admin_user)
    url = reverse("admin:projects_project_simple_history", args=[project.pk, first.history_id])

    page = admin_client.get(url)
    response = admin_client.post(url, change_form_data(project))

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == Status.EN_INSTRUCTION


# --- The admin's spreadsheet imports (contratville/admin_import.py) --------------------------

OPERATOR_HEADERS = (
    "Identifiant;Nom;Type de porteur;SIRET;Code INSEE de la commune du siège;Commune du siège;"
    "Courriel;Téléphone;Nombre de dossiers"
)


def import_form(client, model, content: bytes, name: str, fmt: int):
    """The import page's first step: the file, and the format's position (0 CSV, 1 XLSX)."""
    upload = SimpleUploadedFile(name, content)
    return client.post(
        admin_url(model, "import"), {"resource": "0", "format": str(fmt), "import_file": upload}
    )


def test_an_administrator_imports_a_csv_of_porteurs(admin_client):
    content = (
        f"{OPERATOR_HEADERS}\n"
        ";Centre social Jacques Brel;Association;;62119;;contact@brel.example;;\n"
        ";Ville de Béthune;Commune;;62119;;;;\n"
    ).encode()

    preview = import_form(admin_client, Operator, content, "porteurs.csv", 0)
    assert preview.status_code == 200
    assert not Operator.objects.filter(name="Centre social Jacques Brel").exists()
    confirm = preview.context["confirm_form"]
    response = admin_client.post(admin_url(Operator, "process_import"), confirm.initial)

    assert response.status_code == 302
    brel = Operator.objects.get(name="Centre social Jacques Brel")
    assert (brel.kind, brel.commune.insee_code, brel.email) == (
        OperatorKind.ASSOCIATION,
        "62119",
        "contact@brel.example",
    )
    assert Operator.objects.get(name="Ville de Béthune").kind == OperatorKind.COMMUNE


@pytest.mark.parametrize(
    ("field", "value"),
    [("format", "9"), ("format", "x"), ("resource", "7"), ("format", "9" * 5000)],
    ids=["format-9", "format-x", "resource-7", "format-5000-digits"],
)
def test_an_altered_confirmation_imports_nothing(admin_client, field, value):
    content = f"{OPERATOR_HEADERS}\n;Porteur confirmé;Association;;;;;;\n".encode()
    preview = import_form(admin_client, Operator, content, "porteurs.csv", 0)

    response = admin_client.post(
        admin_url(Operator, "process_import"),
        preview.context["confirm_form"].initial | {field: value},
        follow=True,
    )

    assert response.redirect_chain == [(admin_url(Operator, "import"), 302)]
    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("La confirmation de l'import est incomplète ou a été modifiée")
    assert not Operator.objects.filter(name="Porteur confirmé").exists()


def test_a_confirmation_whose_file_is_gone_says_so(admin_client):
    preview = import_form(
        admin_client, Operator, f"{OPERATOR_HEADERS}\n;Porteur;Association;;;;;;\n".encode(), "p.csv", 0
    )
    confirmation = preview.context["confirm_form"].initial | {"import_file_name": "fichier-absent"}

    response = admin_client.post(admin_url(Operator, "process_import"), confirmation, follow=True)

    assert [str(message) for message in response.context["messages"]] == [READ_FAILED]


def test_the_admin_import_reads_a_windows_1252_csv_as_the_programmation_import_does(admin_client):
    content = f"{OPERATOR_HEADERS}\n;Régie de quartier;Association;;;;;;\n".encode("cp1252")

    preview = import_form(admin_client, Operator, content, "porteurs.csv", 0)
    admin_client.post(admin_url(Operator, "process_import"), preview.context["confirm_form"].initial)

    assert Operator.objects.filter(name="Régie de quartier").exists()


def test_the_admin_import_refuses_a_zip_bomb_with_the_readers_french_message(admin_client):
    before = Operator.objects.count()

    response = import_form(
        admin_client, Operator, (BAD_FILES / "bombe-zip.xlsx").read_bytes(), "bombe.xlsx", 1
    )

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        "Le fichier XLSX est trop volumineux une fois décompressé."
    ]
    assert "confirm_form" not in response.context
    assert Operator.objects.count() == before


def test_the_admin_import_refuses_a_file_above_the_size_limit_before_storing_it(
    admin_client, settings, monkeypatch
):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024 * 1024
    stored = []
    monkeypatch.setattr(
        "import_export.admin.ImportMixin.write_to_tmp_storage", lambda *args: stored.append(args)
    )
    # Just above the limit: a larger body is refused before it is read (contratville/middleware.py).
    content = f"{OPERATOR_HEADERS}\n".encode() + b";Association;Association;;;;;;\n" * 34_000

    response = import_form(admin_client, Operator, content, "porteurs.csv", 0)

    assert 1024 * 1024 < len(content) < 1024 * 1024 + 32 * 1024
    assert response.context["form"].errors["import_file"] == [
        "Le fichier dépasse la taille maximale de 1 Mo."
    ]
    assert stored == []


def test_the_admin_import_refuses_a_file_whose_content_is_not_its_format(admin_client):
    response = import_form(admin_client, Operator, b"%PDF-1.7 pas un tableau", "porteurs.csv", 0)

    assert response.context["form"].errors["import_file"] == [
        "Le fichier porte l'extension .csv mais c'est un document PDF, pas un tableau : déposez un "
        "fichier CSV ou XLSX."
    ]


def test_the_admin_import_offers_csv_and_xlsx_only(admin_client):
    response = admin_client.get(admin_url(Operator, "import"))

    titles = [label for value, label in response.context["form"].fields["format"].choices if value]
    assert titles == ["csv", "xlsx"]


def test_the_admin_export_guards_formulas(admin_client):
    OperatorFactory(name='=HYPERLINK("http://example.org")')

    response = admin_client.post(
        admin_url(Operator, "export"),
        {"format": "0", "resource": "0", **{f"operatorresource_{f}": "on" for f in ("id", "name")}},
    )

    assert response.status_code == 200
    assert "'=HYPERLINK" in response.content.decode()


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

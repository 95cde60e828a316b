"""The programmation import respects the importer's rights and the workflow: only the direction
creates or moves a dossier to a decided status (programmé, refusé, justifié, soldé) or changes
the granted amounts of a programmed dossier; a status change follows the workflow's transitions,
one step at a time, and a decision takes its date. The command line acts with the rights of the
person it names, or as the server's operator; `--reprise` is an administrator's data recovery,
recorded as such."""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from contratville import roles
from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.imports.storage import pending_import_store
from projects.models import FundingLine, Operator, ProgrammeYear, Project, Status, StatusChange
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    complete_compte_rendu,
    funder,
)
from tests.html import element
from tests.projects.page_forms import form_fields, post_data
from tests.projects.test_programmation_import import database_state

pytestmark = pytest.mark.django_db

URL = "/projets/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agent(user_in):
    return user_in(roles.AGENT, username="camille")


@pytest.fixture
def direction(user_in):
    return user_in(roles.DIRECTION, username="dominique")


def _client(client, user):
    client.force_login(user)
    return client


def row(reference="2024-001", status="en_instruction", *, year="2024", funder_code="anct", **cells):
    values = {
        "annee": year,
        "numero_dossier": reference,
        "intitule": "Ateliers d'inclusion numérique",
        "porteur": "Maison de quartier du Mont-Liébaut",
        "siret": "",
        "type_porteur": "association",
        "pilier": "cohesion_sociale",
        "thematique": "1.1",
        "quartiers": "",
        "statut": status,
        "financeur": funder_code,
        "nature": "",
        "montant_demande": "3000",
        "montant_accorde": "",
    }
    values.update(cells)
    return values


def csv_file(*rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run(*rows, user, dry_run=False, filename="programmation.csv"):
    return programmation_import(content=csv_file(*rows), filename=filename, dry_run=dry_run, user=user)


def errors(result) -> list[str]:
    return [str(issue) for issue in result.errors]


def dossier(status, *, reference="2024-001", year=2024, granted=None, **kwargs):
    """A dossier of the Maison de quartier with one ANCT line (3 000 € asked)."""
    operator = Operator.objects.filter(name="Maison de quartier du Mont-Liébaut").first()
    project = ProjectFactory(
        year=ProgrammeYearFactory(year=year),
        reference=reference,
        title="Ateliers d'inclusion numérique",
        operator=operator or OperatorFactory(name="Maison de quartier du Mont-Liébaut"),
        status=status,
        **kwargs,
    )
    FundingLineFactory(
        project=project, funder=funder("anct"), amount_requested=Decimal("3000"), amount_granted=granted
    )
    return project


# The issue's path: an agent exports a refused dossier, sets it "programme" and imports it.


def test_an_agent_cannot_programme_a_refused_dossier_by_exporting_and_importing_it(client, agent):
    refused = dossier(Status.REFUSE, reference="2020-014", year=2020, decision_date=date(2020, 3, 5))
    agent_client = _client(client, agent)
    exported = agent_client.get("/projets/export/?format=csv&annee=2020")
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert table[1][COLUMNS.index("statut")] == "refuse"
    table[1][COLUMNS.index("statut")] = "programme"
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(table)
    content = out.getvalue().encode()
    before = database_state(), StatusChange.objects.count()

    preview = agent_client.post(URL, {"file": SimpleUploadedFile("export.csv", content)})

    page = html.unescape(preview.content.decode())
    assert preview.status_code == 200
    assert "1 erreur : rien n'a été enregistré" in page
    assert re.search(
        r'<td class="num">2</td><td><code>statut</code></td><td>le dossier 2020-014 de 2020 est', page
    )
    assert "statut « Refusé »" in page and "statut « Programmé »" in page
    assert 'name="token"' not in page  # nothing to confirm
    assert (database_state(), StatusChange.objects.count()) == before

    # A token obtained otherwise (an earlier preview, another tab) is checked again on confirm.
    pending = pending_import_store(content=content, filename="export.csv", user=agent)
    confirmed = agent_client.post(URL, {"action": "confirm", "token": pending.token})
    assert confirmed.status_code == 200
    assert "1 erreur : rien n'a été enregistré" in html.unescape(confirmed.content.decode())
    assert (database_state(), StatusChange.objects.count()) == before
    refused.refresh_from_db()
    assert (refused.status, refused.decision_date) == (Status.REFUSE, date(2020, 3, 5))


def test_an_agent_cannot_take_a_decision_on_a_dossier_in_instruction(agent):
    project = dossier(Status.EN_INSTRUCTION)

    result = run(row(status="programme"), user=agent)

    assert errors(result) == [
        "Ligne 2, colonne « statut » : le dossier 2024-001 de 2024 est au statut « En instruction » : "
        "seule la direction peut le passer au statut « Programmé » (une décision du comité)"
    ]
    project.refresh_from_db()
    assert project.status == Status.EN_INSTRUCTION
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("status", ["programme", "refuse", "justifie", "solde"])
def test_an_agent_cannot_create_a_decided_dossier(agent, status):
    result = run(row(), row(reference="2024-002", status=status), user=agent, dry_run=True)

    assert len(result.errors) == 1
    (issue,) = result.errors
    assert (issue.row, issue.column) == (3, "statut")
    label = Status(status).label
    assert issue.message.startswith(f"seule la direction peut créer un dossier au statut « {label} » (")
    assert run(row(), row(reference="2024-002", status=status), user=agent).errors
    assert not Project.objects.exists()


@pytest.mark.parametrize("status", ["brouillon", "depose", "en_instruction", "abandonne"])
def test_an_agent_creates_dossiers_before_any_decision_or_abandoned(agent, status):
    result = run(row(status=status), user=agent)

    assert result.ok, result.errors
    project = Project.objects.get()
    assert (project.status, project.decision_date) == (status, None)
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        "",
        status,
        agent,
        "Import de programmation",
    )


def test_the_direction_creates_programmed_dossiers_dated_by_the_committee(direction):
    ProgrammeYearFactory(year=2024, programming_committee_on=date(2024, 3, 28))

    result = run(
        row(status="programme", montant_accorde="2500"),
        row(reference="2024-002", status="refuse"),
        row(reference="2024-003", status="en_instruction"),
        user=direction,
    )

    assert result.ok, result.errors
    decided = dict(Project.objects.values_list("reference", "decision_date"))
    assert decided == {"2024-001": date(2024, 3, 28), "2024-002": date(2024, 3, 28), "2024-003": None}


def test_the_direction_cannot_jump_over_the_workflow(direction):
    project = dossier(Status.BROUILLON)

    result = run(row(status="solde"), user=direction)

    assert errors(result) == [
        "Ligne 2, colonne « statut » : le dossier 2024-001 de 2024 est au statut « Brouillon » : "
        "il ne peut pas passer au statut « Soldé » (depuis ce statut, le circuit d'instruction "
        "permet : « Déposé », « Abandonné »)"
    ]
    project.refresh_from_db()
    assert project.status == Status.BROUILLON


def test_a_final_status_is_final_for_the_import_too(direction):
    dossier(Status.ABANDONNE)

    (issue,) = run(row(status="en_instruction"), user=direction).errors

    assert issue.message.endswith("(aucun changement de statut n'est possible depuis celui-ci)")


def test_a_decision_by_import_is_dated_and_recorded_as_the_workflow_does(direction):
    ProgrammeYearFactory(year=2024, programming_committee_on=date(2024, 3, 28))
    project = dossier(Status.EN_INSTRUCTION)

    result = run(row(status="programme", montant_accorde="2900"), user=direction, filename="comite.csv")

    assert result.ok, result.errors
    project.refresh_from_db()
    assert (project.status, project.decision_date, project.version) == (
        Status.PROGRAMME,
        date(2024, 3, 28),
        2,
    )
    change = StatusChange.objects.get(project=project)
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        Status.EN_INSTRUCTION,
        Status.PROGRAMME,
        direction,
        "Import de programmation",
    )
    record = project.history.first()
    assert (record.status, record.decision_date, record.history_user, record.history_change_reason) == (
        Status.PROGRAMME,
        date(2024, 3, 28),
        direction,
        "Import de programmation comite.csv",
    )
    assert project.funding_lines.get().amount_granted == Decimal("2900.00")


def test_a_decision_without_a_committee_date_is_dated_today(direction):
    project = dossier(Status.EN_INSTRUCTION)

    assert run(row(status="refuse"), user=direction).ok

    project.refresh_from_db()
    assert (project.status, project.decision_date) == (Status.REFUSE, timezone.localdate())


def test_an_agent_moves_a_dossier_one_step_and_a_refusal_examined_again_loses_its_date(agent):
    dossier(Status.DEPOSE)
    dossier(Status.REFUSE, reference="2024-002", decision_date=date(2024, 3, 28))
    complete_compte_rendu(
        dossier(
            Status.PROGRAMME, reference="2024-003", decision_date=date(2024, 3, 28), granted=Decimal("2500")
        )
    )

    result = run(
        row(status="en_instruction"),
        row(reference="2024-002", status="en_instruction"),
        row(reference="2024-003", status="justifie", montant_accorde="2 500,00"),
        user=agent,
    )

    assert result.ok, result.errors
    statuses = {p.reference: (p.status, p.decision_date) for p in Project.objects.all()}
    assert statuses == {
        "2024-001": (Status.EN_INSTRUCTION, None),
        "2024-002": (Status.EN_INSTRUCTION, None),
        "2024-003": (Status.JUSTIFIE, date(2024, 3, 28)),
    }
    assert set(StatusChange.objects.values_list("project__reference", "from_status", "to_status")) == {
        ("2024-001", "depose", "en_instruction"),
        ("2024-002", "refuse", "en_instruction"),
        ("2024-003", "programme", "justifie"),
    }


# The granted amounts of a programmed dossier: the comité's decision, in the import as in the form.


def test_an_agent_cannot_change_the_granted_amounts_of_a_programmed_dossier(agent):
    project = dossier(Status.PROGRAMME, granted=Decimal("2500"))
    rows = [
        row(status="programme", montant_accorde="2500"),
        row(status="programme", funder_code="caf", montant_demande="500"),
    ]
    assert run(*rows, user=agent).ok  # a line without a granted amount, the same grant: allowed

    rows[1]["montant_accorde"] = "500"
    result = run(*rows, user=agent)
    assert errors(result) == [
        "Ligne 3, colonne « montant_accorde » : le dossier 2024-001 de 2024 est au statut « Programmé » : "
        "les montants accordés d'un dossier programmé sont la décision du comité : seule la direction peut "
        "les modifier"
    ]
    # Dropping the granted line is changing the grant too: reported on the dossier's first row.
    (issue,) = run(row(status="programme", funder_code="caf", montant_demande="500"), user=agent).errors
    assert (issue.row, issue.column) == (2, "montant_accorde")
    assert sorted(project.funding_lines.values_list("funder__code", "amount_granted")) == [
        ("anct", Decimal("2500.00")),
        ("caf", None),
    ]


def test_an_agent_changes_the_requested_amounts_and_the_direction_the_granted_ones(agent, direction):
    project = dossier(Status.PROGRAMME, granted=Decimal("2500"))

    assert run(row(status="programme", montant_demande="3200", montant_accorde="2500"), user=agent).ok
    assert run(row(status="programme", montant_demande="3200", montant_accorde="2700"), user=direction).ok

    assert project.funding_lines.values_list("amount_requested", "amount_granted").get() == (
        Decimal("3200.00"),
        Decimal("2700.00"),
    )


def test_the_form_applies_the_same_rule_to_an_agent(client, agent):
    project = dossier(Status.PROGRAMME, granted=Decimal("2500"))
    agent_client = _client(client, agent)
    page = agent_client.get(f"/projets/{project.pk}/modifier/").content.decode()
    assert element(page, "input", name="lignes-0-amount_granted").has("disabled")
    assert "seule la direction peut les modifier" in page
    fields = form_fields(page)

    # A typed amount is ignored (the field is disabled): the other changes are saved.
    response = agent_client.post(
        f"/projets/{project.pk}/modifier/",
        post_data(fields, title="Ateliers numériques", **{"lignes-0-amount_granted": "9 999"}),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Ateliers numériques"
    assert project.funding_lines.get().amount_granted == Decimal("2500.00")

    # Removing the granted line is refused with the rule's message; nothing is written.
    fields = form_fields(agent_client.get(f"/projets/{project.pk}/modifier/").content.decode())
    response = agent_client.post(
        f"/projets/{project.pk}/modifier/", post_data(fields, **{"lignes-0-DELETE": "on"})
    )
    assert response.status_code == 200
    assert (
        "Les montants accordés d&#x27;un dossier programmé sont la décision du comité"
        in response.content.decode()
    )
    assert project.funding_lines.count() == 1


def test_the_direction_changes_granted_amounts_in_the_form(client, direction):
    project = dossier(Status.PROGRAMME, granted=Decimal("2500"))
    direction_client = _client(client, direction)
    fields = form_fields(direction_client.get(f"/projets/{project.pk}/modifier/").content.decode())

    response = direction_client.post(
        f"/projets/{project.pk}/modifier/", post_data(fields, **{"lignes-0-amount_granted": "2 700"})
    )

    assert response.status_code == 302
    assert project.funding_lines.get().amount_granted == Decimal("2700.00")


# The command line.


def _write(tmp_path, *rows):
    path = tmp_path / "reprise.csv"
    path.write_bytes(csv_file(*rows))
    return str(path)


def test_the_command_applies_the_rights_of_the_user_it_names(tmp_path, agent):
    dossier(Status.EN_INSTRUCTION)
    path = _write(tmp_path, row(status="programme"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Import refusé, 1 erreur"):
        call_command("import_programmation", path, utilisateur="camille", stdout=io.StringIO(), stderr=err)

    assert (
        "Ligne 2, colonne « statut » : le dossier 2024-001 de 2024 est au statut « En instruction »"
        in err.getvalue()
    )
    assert Project.objects.get().status == Status.EN_INSTRUCTION


def test_the_command_refuses_a_user_who_may_not_import(tmp_path, user_in):
    user_in(roles.COMITE, username="claude")
    path = _write(tmp_path, row(status="depose"))

    with pytest.raises(CommandError, match="« claude » n'a pas le droit d'importer une programmation"):
        call_command("import_programmation", path, utilisateur="claude", stdout=io.StringIO())
    assert not Project.objects.exists()


def test_a_recovery_by_a_non_administrator_is_refused(tmp_path, direction):
    project = dossier(Status.BROUILLON)
    path = _write(tmp_path, row(status="solde"))

    with pytest.raises(CommandError, match="La reprise de données est réservée aux administrateurs"):
        call_command(
            "import_programmation", path, utilisateur="dominique", reprise=True, stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="--reprise demande --utilisateur"):
        call_command("import_programmation", path, reprise=True, stdout=io.StringIO())
    with pytest.raises(PermissionDenied):
        programmation_import(content=csv_file(row(status="solde")), user=direction, recovery=True)
    project.refresh_from_db()
    assert project.status == Status.BROUILLON
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("how", ["superuser", "group"])
def test_a_recovery_by_an_administrator_sets_any_status_and_says_so(tmp_path, how, user_in):
    if how == "superuser":
        admin = UserFactory(username="alex", is_superuser=True)
    else:
        admin = user_in(roles.ADMINISTRATEUR, username="alex")
    ProgrammeYearFactory(year=2024, programming_committee_on=date(2024, 3, 28))
    project = dossier(Status.BROUILLON)
    path = _write(
        tmp_path, row(status="solde", montant_accorde="2500"), row(reference="2024-002", status="programme")
    )
    out = io.StringIO()

    call_command("import_programmation", path, utilisateur="alex", reprise=True, stdout=out)

    assert "Import réussi" in out.getvalue()
    project.refresh_from_db()
    assert (project.status, project.decision_date) == (Status.SOLDE, None)
    reason = "Reprise de données (import administrateur) reprise.csv"
    record = project.history.first()
    assert (record.status, record.history_user, record.history_change_reason) == (Status.SOLDE, admin, reason)
    created = Project.objects.get(reference="2024-002")
    assert created.decision_date == date(2024, 3, 28)
    assert created.history.get().history_change_reason == reason
    assert set(
        StatusChange.objects.values_list(
            "project__reference", "from_status", "to_status", "changed_by", "comment"
        )
    ) == {
        ("2024-001", "brouillon", "solde", admin.pk, "Reprise de données (import administrateur)"),
        ("2024-002", "", "programme", admin.pk, "Reprise de données (import administrateur)"),
    }


def test_without_a_user_the_command_is_the_operators_and_says_so(tmp_path):
    project = dossier(Status.BROUILLON)
    path = _write(tmp_path, row(status="programme", montant_accorde="2500"))

    call_command("import_programmation", path, "--dry-run", stdout=io.StringIO())
    project.refresh_from_db()
    assert project.status == Status.BROUILLON

    call_command("import_programmation", path, stdout=io.StringIO())

    project.refresh_from_db()
    assert (project.status, project.decision_date) == (Status.PROGRAMME, timezone.localdate())
    record = project.history.first()
    assert (record.history_user, record.history_change_reason) == (
        None,
        "Import de programmation reprise.csv (import en ligne de commande)",
    )
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        "brouillon",
        "programme",
        None,
        "Import de programmation (import en ligne de commande)",
    )


def test_the_command_help_documents_the_rights(capsys):
    with pytest.raises(SystemExit):
        call_command("import_programmation", "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "--utilisateur LOGIN" in text and "--reprise" in text
    assert "Sans --utilisateur, il est fait par l'exploitant du serveur" in text
    assert "réservée aux administrateurs" in text


def test_the_demonstration_dossiers_are_dated_by_their_committee(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    programmed_2021 = Project.objects.filter(year_id=2021).programmed()
    assert programmed_2021.exists()
    assert set(programmed_2021.values_list("decision_date", flat=True)) == {date(2021, 3, 4)}
    assert ProgrammeYear.objects.get(year=2021).programming_committee_on == date(2021, 3, 4)
    assert FundingLine.objects.filter(project__year_id=2021).exists()

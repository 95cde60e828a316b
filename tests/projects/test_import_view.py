"""Importing a programmation in the browser (docs/import-format.md §8): upload, preview, confirm."""

import csv
import html as htmllib
import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contratville import roles
from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.imports.storage import pending_import_get, pending_import_store, pending_import_take
from projects.models import Funder, FundingLine, Operator, Project, Status, StatusChange
from tests.factories import FundingLineFactory, ProjectFactory
from tests.html import element
from tests.projects.test_programmation_import import GOOD_ROWS, csv_bytes, database_state, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/projets/import/"
# An agent's file: the dossiers of GOOD_ROWS, none decided (a decision is the direction's, see
# test_import_rights.py).
AGENT_ROWS = [
    [*row[:9], "en_instruction" if row[9] == "programme" else row[9], *row[10:]] for row in GOOD_ROWS
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, content, name="programmation.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def token_of(response) -> str:
    return element(response.content, "input", name="token")["value"]


def count(response, what) -> int:
    match = re.search(rf'data-count="{what}">(\d+)<', text(response))
    return int(match.group(1))


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/projets/import/")
    assert client.post(URL, {"file": SimpleUploadedFile("a.csv", csv_bytes(AGENT_ROWS))}).status_code == 302
    assert Project.objects.count() == 0


def test_the_comite_may_not_import(comite_client):
    client = comite_client
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"file": SimpleUploadedFile("a.csv", csv_bytes(AGENT_ROWS))})
    assert response.status_code == 403
    assert client.get("/projets/import/modele.csv").status_code == 403
    assert Project.objects.count() == 0


def test_the_upload_page_explains_the_format_and_links_the_templates(agent_client):
    page = agent_client.get(URL)
    assert page.status_code == 200
    html = text(page)
    assert 'accept=".csv,.xlsx"' in html
    assert 'enctype="multipart/form-data"' in html
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    assert "/projets/import/modele.csv" in html and "/projets/import/modele.xlsx" in html
    assert "10 Mo" in html


def test_a_good_csv_shows_a_preview_and_writes_nothing(agent_client):
    before = database_state()
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    assert response.status_code == 200
    html = text(response)
    assert "Aperçu de l'import" in html
    assert (count(response, "created"), count(response, "updated"), count(response, "unchanged")) == (3, 0, 0)
    assert count(response, "lines") == 4
    assert count(response, "operators") == 2
    for reference in ("D-001", "D-002", "D-003"):
        assert f"<td>2022</td><td>{reference}</td>" in html
    assert "Création" in html
    assert 'value="confirm"' in html
    assert database_state() == before
    assert StatusChange.objects.count() == 0


def test_confirm_writes_exactly_what_the_command_would(agent_client, agent):
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    confirmed = agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/projets/?annee=2022"
    imported = database_state()
    assert Project.objects.count() == 3
    assert FundingLine.objects.count() == 4
    assert Operator.objects.count() == 2
    assert set(StatusChange.objects.values_list("changed_by", flat=True)) == {agent.pk}

    # The same file through the service (as the command runs it) changes nothing more.
    again = programmation_import(content=csv_bytes(AGENT_ROWS), filename="programmation.csv")
    assert again.ok and again.projects_unchanged == 3 and again.projects_created == 0
    assert database_state() == imported

    messages = [str(m) for m in confirmed.wsgi_request._messages]
    assert any("Import de « programmation.csv » réussi" in m and "3 créé(s)" in m for m in messages)


def test_confirm_writes_the_same_as_the_service_on_a_fresh_database(agent_client):
    """Counts of the browser import equal those of a real service run."""
    expected = programmation_import(content=csv_bytes(AGENT_ROWS), filename="p.csv", dry_run=True)
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    assert Project.objects.count() == expected.projects_created
    assert FundingLine.objects.count() == expected.lines
    assert Operator.objects.count() == expected.operators_created


def test_a_second_preview_of_the_same_file_shows_every_dossier_unchanged(agent_client):
    first = upload(agent_client, csv_bytes(AGENT_ROWS))
    agent_client.post(URL, {"action": "confirm", "token": token_of(first)})
    second = upload(agent_client, csv_bytes(AGENT_ROWS))
    assert (count(second, "created"), count(second, "unchanged")) == (0, 3)
    assert "Inchangé" in text(second)


def test_a_token_is_used_once(agent_client):
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    token = token_of(response)
    agent_client.post(URL, {"action": "confirm", "token": token})
    state = database_state()
    again = agent_client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "n'est plus disponible" in text(again)
    assert database_state() == state


def test_a_bad_file_lists_every_error_with_row_and_column_and_writes_nothing(agent_client):
    rows = [list(row) for row in AGENT_ROWS]
    rows[0][6] = "culture"  # pilier, row 2
    rows[3][12] = "beaucoup"  # montant_demande, row 5
    before = database_state()
    response = upload(agent_client, csv_bytes(rows))
    assert response.status_code == 200
    html = text(response)
    assert "Le fichier contient des erreurs" in html
    assert (
        '<th scope="col" class="num">Ligne</th><th scope="col">Colonne</th><th scope="col">Erreur</th>'
        in html
    )
    assert re.search(
        r'<td class="num">2</td><td><code>pilier</code></td><td>pilier inconnu « culture »', html
    )
    assert re.search(r'<td class="num">5</td><td><code>montant_demande</code></td>', html)
    assert 'value="confirm"' not in html
    assert 'name="token"' not in html
    assert database_state() == before


def test_an_unreadable_file_is_reported_without_row(agent_client):
    response = upload(agent_client, b"PK\x03\x04 not really a workbook", name="programmation.xlsx")
    html = text(response)
    assert "classeur XLSX valide" in html
    assert 'value="confirm"' not in html


def test_a_too_large_file_is_refused_with_a_french_message(agent_client, settings, media_root):
    settings.IMPORT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    content = csv_bytes(AGENT_ROWS)
    content += b" " * (settings.IMPORT_MAX_UPLOAD_SIZE + 1 - len(content))
    before = database_state()
    response = upload(agent_client, content)
    html = text(response)
    assert "Le fichier dépasse la taille maximale de 10 Mo" in html
    assert "Aperçu" not in html
    assert database_state() == before
    assert not (media_root / "imports").exists() or not any((media_root / "imports").iterdir())


def test_another_extension_is_refused(agent_client):
    response = upload(agent_client, csv_bytes(AGENT_ROWS), name="programmation.txt")
    assert "déposez un fichier .csv ou .xlsx" in text(response)


def test_no_file_asks_for_one(agent_client):
    response = agent_client.post(URL, {})
    assert "Choisissez un fichier à importer" in text(response)


@pytest.mark.parametrize("token", ["", "inconnu", "A" * 43, "../../etc/passwd"])
def test_an_unknown_token_sends_back_to_step_one(agent_client, token):
    before = database_state()
    response = agent_client.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 302 and response["Location"] == URL
    page = agent_client.get(URL)
    assert "n'est plus disponible" in text(page)
    assert database_state() == before


def test_an_expired_token_is_refused(agent_client, settings):
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    settings.IMPORT_PENDING_MAX_AGE = -1
    confirmed = agent_client.post(URL, {"action": "confirm", "token": token_of(response)}, follow=True)
    assert "n'est plus disponible" in text(confirmed)
    assert Project.objects.count() == 0


def test_a_token_belongs_to_the_user_who_previewed(client, agent, user_in):
    pending = pending_import_store(content=csv_bytes(AGENT_ROWS), filename="p.csv", user=agent)
    client.force_login(user_in(roles.AGENT))
    response = client.post(URL, {"action": "confirm", "token": pending.token})
    assert response["Location"] == URL
    assert Project.objects.count() == 0


def test_a_pending_file_is_taken_once(agent):
    pending = pending_import_store(content=b"contenu", filename="../../p.csv", user=agent)
    assert pending.filename == "p.csv"
    assert pending_import_get(token=pending.token, user=agent).content == b"contenu"
    assert pending_import_take(token=pending.token, user=agent).content == b"contenu"
    assert pending_import_take(token=pending.token, user=agent) is None


def test_a_pending_file_altered_on_disk_is_refused(agent, media_root):
    pending = pending_import_store(content=b"contenu", filename="p.csv", user=agent)
    (media_root / "imports" / f"{pending.token}.bin").write_bytes(b"autre contenu")
    assert pending_import_get(token=pending.token, user=agent) is None


def test_confirm_without_preview_does_nothing(agent_client):
    response = agent_client.post(URL, {"action": "confirm"})
    assert response.status_code == 302
    assert Project.objects.count() == 0


def test_cancel_forgets_the_file(agent_client, media_root):
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    token = token_of(response)
    agent_client.post(URL, {"action": "cancel", "token": token})
    assert not any((media_root / "imports").iterdir())
    agent_client.post(URL, {"action": "confirm", "token": token})
    assert Project.objects.count() == 0


def test_errors_found_at_confirmation_are_shown_and_nothing_is_written(agent_client):
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    # Meanwhile an administrator removes a funder the file uses (row 3: caf).
    Funder.objects.get(code="caf").delete()
    before = database_state()
    confirmed = agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    assert confirmed.status_code == 200
    html = text(confirmed)
    assert "L'import n'a pas été enregistré" in html
    assert "Les données ont changé depuis l'aperçu" in html
    assert re.search(
        r'<td class="num">3</td><td><code>financeur</code></td><td>financeur inconnu « caf »', html
    )
    assert 'value="confirm"' not in html
    assert database_state() == before


def test_an_xlsx_upload_works_too(agent_client):
    response = upload(agent_client, xlsx_bytes(AGENT_ROWS), name="programmation.xlsx")
    assert count(response, "created") == 3
    agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    assert Project.objects.count() == 3
    assert FundingLine.objects.count() == 4


def test_a_reimport_updates_and_the_preview_says_so(agent_client):
    project = ProjectFactory(
        year__year=2022, reference="D-001", title="Ancien intitulé", status=Status.EN_INSTRUCTION
    )
    FundingLineFactory(project=project)
    response = upload(agent_client, csv_bytes(AGENT_ROWS))
    assert (count(response, "created"), count(response, "updated")) == (2, 1)
    assert "Mise à jour" in text(response)
    agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    project.refresh_from_db()
    assert project.title == "Accompagnement à la scolarité"
    assert project.funding_lines.count() == 3


def test_confirm_redirects_to_every_imported_year(agent_client):
    rows = [list(row) for row in AGENT_ROWS]
    rows[3][0] = "2023"
    response = upload(agent_client, csv_bytes(rows))
    confirmed = agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    assert confirmed["Location"] == "/projets/?annee=2022&annee=2023"


# The templates to download.


def test_the_csv_template_has_the_headers_and_an_example_that_imports(agent_client):
    response = agent_client.get("/projets/import/modele.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == COLUMNS
    assert len(rows) == 2
    example = dict(zip(COLUMNS, rows[1], strict=True))
    assert example["annee"] == str(date.today().year)
    assert example["numero_dossier"] == "EX-001"
    result = programmation_import(content=content, filename="modele.csv", dry_run=True)
    assert result.ok, result.errors
    assert (result.projects_created, result.lines, result.operators_created) == (1, 1, 1)


def test_the_xlsx_template_has_the_headers_and_an_example_that_imports(agent_client):
    response = agent_client.get("/projets/import/modele.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert sheet.max_row == 2
    result = programmation_import(content=response.content, filename="modele.xlsx", dry_run=True)
    assert result.ok, result.errors
    assert (result.projects_created, result.lines, result.operators_created) == (1, 1, 1)


def test_a_template_uploaded_in_the_browser_imports(agent_client):
    template = agent_client.get("/projets/import/modele.xlsx").content
    response = upload(agent_client, template, name="modele.xlsx")
    agent_client.post(URL, {"action": "confirm", "token": token_of(response)})
    project = Project.objects.get(reference="EX-001")
    assert project.operator.name == "Association exemple"
    assert project.funding_lines.get().amount_requested == 1500


def test_an_unknown_template_format_is_not_found(agent_client):
    assert agent_client.get("/projets/import/modele.ods").status_code == 404

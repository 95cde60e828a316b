"""The import format is defined once (`projects.imports.format`): the export, the templates to
download, the import page, the benchmark and the demonstration programme all use its columns."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group

from contratville import roles
from projects import exports
from projects.imports.format import COLUMNS, DOSSIER_COLUMNS, FORMAT, LABELS, OPTIONAL_COLUMNS, column_help
from projects.imports.parsing import Row, dossier_values
from projects.models import OperatorKind, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The format as the user documentation states it: if this changes, every file people keep
# changes with it.
DOCUMENTED = [
    "annee",
    "numero_dossier",
    "intitule",
    "porteur",
    "siret",
    "type_porteur",
    "pilier",
    "thematique",
    "quartiers",
    "statut",
    "financeur",
    "nature",
    "montant_demande",
    "montant_accorde",
]


@pytest.fixture
def direction_client(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.DIRECTION))
    client.force_login(user)
    return client


def _csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _xlsx_header(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell.value for cell in sheet[1]]


def test_the_export_and_the_templates_have_the_formats_columns(direction_client):
    assert COLUMNS == DOCUMENTED
    headers = {
        "export csv": _csv_header(direction_client.get("/projets/export/?format=csv").content),
        "export xlsx": _xlsx_header(direction_client.get("/projets/export/?format=xlsx").content),
        "template csv": _csv_header(direction_client.get("/projets/import/modele.csv").content),
        "template xlsx": _xlsx_header(direction_client.get("/projets/import/modele.xlsx").content),
    }
    assert headers == dict.fromkeys(headers, COLUMNS)


def test_the_import_page_and_the_template_guide_describe_every_column(direction_client):
    page = direction_client.get("/projets/import/")
    assert [column["name"] for column in page.context["columns"]] == COLUMNS
    assert [column["name"] for column in page.context["columns"] if not column["required"]] == [
        "siret",
        "quartiers",
        "nature",
        "montant_accorde",
    ]
    guide = openpyxl.load_workbook(io.BytesIO(direction_client.get("/projets/import/modele.xlsx").content))
    rows = list(guide["Mode d'emploi"].iter_rows(values_only=True))
    help_texts = column_help()
    assert rows[1:] == [
        (name, "non" if name in OPTIONAL_COLUMNS else "oui", help_texts[name]) for name in COLUMNS
    ]
    assert help_texts["statut"] == f"Statut du dossier : {', '.join(Status.values)}."
    assert help_texts["type_porteur"] == f"Type de porteur : {', '.join(OperatorKind.values)}."
    assert help_texts["quartiers"] == "Codes QPV (QP… ou QN…) séparés par « | » ; peut rester vide."


def test_the_readable_export_is_headed_by_the_formats_labels():
    sheet = openpyxl.load_workbook(io.BytesIO(exports.write_readable_xlsx([]))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [LABELS[name] for name in COLUMNS if name != "siret"]


def test_the_dossier_columns_are_those_the_import_compares():
    assert DOSSIER_COLUMNS == [column.name for column in FORMAT if column.dossier]
    assert list(dossier_values(Row(number=2))) == DOSSIER_COLUMNS


def test_the_benchmark_and_the_demonstration_programme_are_in_the_format():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import import_rate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert _csv_header(import_rate.programmation_csv(8, 4, variant=0)) == COLUMNS
    for path in sorted((ROOT / "fixtures" / "demo").glob("programmation_*.csv")):
        assert _csv_header(path.read_bytes()) == COLUMNS, path.name


def test_the_format_is_read_without_django():
    """The demonstration scripts and the bad files' generator run with a plain python3."""
    code = "import sys; from projects.imports.format import COLUMNS; print(len(COLUMNS), 'django' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.split() == [str(len(DOCUMENTED)), "False"]

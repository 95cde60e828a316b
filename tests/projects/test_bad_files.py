"""Hardened input: the corpus of bad files (tests/projects/bad_files/) is refused, each file
with its own precise French message, by the import service and in the browser, and nothing is
written; the files people really send (Windows-1252, Excel's UTF-16 "Texte Unicode", workbooks
with calculated formulas) still import with every accent."""

import html as htmllib
import importlib.util
import io
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from contratville import tabular
from contratville.tabular import MAX_CELL_LENGTH, MAX_COLUMNS, MAX_ROWS, TableError, read_table, xlsxfile
from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.models import FundingLine, Operator, Project
from tests.projects.test_programmation_import import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db

BAD_FILES = Path(__file__).parent / "bad_files"
GENERATOR = BAD_FILES / "make_bad_files.py"
URL = "/projets/import/"
# The upload form takes non-empty .csv and .xlsx files only: the others are refused before the
# preview, with the form's message.
OTHER_FORMAT = "Format non pris en charge : déposez un fichier .csv ou .xlsx"
REFUSED_BY_THE_FORM = {
    "vide.csv": "Le fichier est vide.",
    "ancien-excel.xls": OTHER_FORMAT,
    "macros.xlsm": OTHER_FORMAT,
    "classeur-libreoffice.ods": OTHER_FORMAT,
}
SAVE_AS_UTF8 = "enregistrez-le en « CSV UTF-8 » depuis votre tableur."

# (row, column, message) of the one error each file gets.
EXPECTED = {
    "vide.csv": (None, None, "Le fichier est vide."),
    "separateurs-seuls.csv": (None, None, "Le fichier ne contient aucune ligne."),
    "en-tetes-seuls.csv": (None, None, "Le fichier ne contient que la ligne d'en-têtes."),
    "en-tetes-espaces.csv": (
        None,
        None,
        "Ligne 1 : la ligne d'en-têtes ne contient que des espaces : la première ligne du fichier "
        "doit donner le nom de chaque colonne.",
    ),
    "binaire.csv": (None, None, "Le fichier n'est pas un fichier CSV lisible (caractères binaires)."),
    "image-png.csv": (
        None,
        None,
        "Le fichier porte l'extension .csv mais c'est une image PNG, pas un tableau : "
        "déposez un fichier CSV ou XLSX.",
    ),
    "document-pdf.xlsx": (
        None,
        None,
        "Le fichier porte l'extension .xlsx mais c'est un document PDF, pas un tableau : "
        "déposez un fichier CSV ou XLSX.",
    ),
    "texte-csv.xlsx": (
        None,
        None,
        "Le fichier porte l'extension .xlsx mais c'est un fichier texte (CSV) : renommez-le en .csv.",
    ),
    "classeur-xlsx.csv": (
        None,
        None,
        "Le fichier porte l'extension .csv mais contient un classeur : renommez-le en .xlsx.",
    ),
    "ancien-excel.xls": (
        None,
        None,
        "Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV.",
    ),
    "classeur-protege.xlsx": (
        None,
        None,
        "Le fichier porte l'extension .xlsx mais c'est un classeur Excel 97-2003 ou un classeur "
        "protégé par un mot de passe : enregistrez-le au format « Classeur Excel (.xlsx) », sans mot "
        "de passe, ou en CSV.",
    ),
    "archive-zip.xlsx": (None, None, "Le fichier est une archive ZIP mais pas un classeur XLSX."),
    "classeur-libreoffice.ods": (
        None,
        None,
        "Le fichier est un document OpenDocument (LibreOffice, .ods) : enregistrez-le au format "
        "« Classeur Excel (.xlsx) » ou en CSV depuis votre tableur.",
    ),
    "accents-ms-dos.csv": (
        None,
        None,
        "Ligne 2 : accents illisibles (« R‚ussite ») : le fichier n'est ni en UTF-8 ni en "
        "Windows-1252 (encodage MS-DOS ou Mac ?) ; " + SAVE_AS_UTF8,
    ),
    "accents-mac.csv": (
        None,
        None,
        "Le fichier CSV n'est ni en UTF-8 ni en Windows-1252 : " + SAVE_AS_UTF8,
    ),
    "accents-abimes.csv": (
        None,
        None,
        "Ligne 2 : accents abîmés (« Ã© » au lieu de « é ») : le fichier a été mal converti ; "
        "enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur.",
    ),
    "encodages-melanges.csv": (
        None,
        None,
        "Ligne 2 : accents abîmés (« Ã© » au lieu de « é ») : le fichier a été mal converti ; "
        "enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur.",
    ),
    "utf8-annonce-a-tort.csv": (
        None,
        None,
        "Le fichier CSV annonce l'encodage UTF-8 mais contient des caractères d'un autre encodage : "
        "enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur.",
    ),
    "octet-nul.csv": (
        None,
        None,
        "Ligne 3 : le fichier contient un caractère nul (octet 0) : ce n'est pas un fichier CSV "
        "lisible ; enregistrez-le à nouveau en CSV depuis votre tableur.",
    ),
    "guillemet-non-ferme.csv": (
        None,
        None,
        "Ligne 3 : un guillemet (\") ouvert n'est jamais refermé : toute la suite du fichier serait "
        "lue comme une seule cellule. Corrigez cette ligne ou enregistrez le fichier à nouveau depuis "
        "votre tableur.",
    ),
    "cellule-trop-longue.csv": (
        None,
        None,
        "Ligne 2, colonne 3 : la cellule compte 10 001 caractères ; 10 000 au plus sont acceptés.",
    ),
    "ligne-demesuree.csv": (
        None,
        None,
        "Ligne 2 : une cellule compte plus de 131 072 caractères ; 10 000 au plus sont acceptés.",
    ),
    "trop-de-colonnes.csv": (
        None,
        None,
        "Ligne 1 : 150 colonnes, alors que 100 au plus sont acceptées : vérifiez le séparateur et la "
        "ligne d'en-têtes.",
    ),
    "trop-de-lignes.csv": (
        None,
        None,
        "Le fichier compte plus de 100 000 lignes de données : importez-le en plusieurs fichiers.",
    ),
    "cellule-sans-en-tete.csv": (3, "colonne 15", "valeur « en trop » dans une colonne sans en-tête"),
    "classeur-tronque.xlsx": (
        None,
        None,
        "Le classeur XLSX est incomplet (fichier tronqué, par exemple par un téléchargement "
        "interrompu) : enregistrez-le ou téléchargez-le à nouveau.",
    ),
    "feuille-vide.xlsx": (None, None, "La première feuille du classeur (« Programmation ») est vide."),
    "formule-sans-valeur.xlsx": (
        None,
        None,
        "Cellule M2 : la formule « =10000+2000 » n'a pas de valeur calculée enregistrée : ouvrez le "
        "fichier dans votre tableur, enregistrez-le, puis importez-le à nouveau.",
    ),
    "erreur-de-formule.xlsx": (
        None,
        None,
        "Cellule M3 : la cellule contient l'erreur « #DIV/0! » : corrigez la formule dans votre "
        "tableur, puis importez à nouveau.",
    ),
    "macros.xlsx": (
        None,
        None,
        "Le classeur contient des macros : enregistrez-le au format « Classeur Excel (.xlsx) », sans "
        "macros, puis importez-le à nouveau.",
    ),
    "macros.xlsm": (
        None,
        None,
        "Les classeurs avec macros (.xlsm) ne sont pas acceptés : enregistrez le fichier au format "
        "« Classeur Excel (.xlsx) » ou en CSV.",
    ),
    "colonne-lointaine.xlsx": (
        None,
        None,
        "Ligne 2 : 16 384 colonnes, alors que 100 au plus sont acceptées : vérifiez le séparateur et "
        "la ligne d'en-têtes.",
    ),
    "ligne-hors-limites.xlsx": (
        None,
        None,
        "Le classeur dépasse la dernière ligne d'une feuille Excel (1 048 576) : il n'est pas lu.",
    ),
    "bombe-zip.xlsx": (None, None, "Le fichier XLSX est trop volumineux une fois décompressé."),
    "taille-mensongere.xlsx": (
        None,
        None,
        "Le classeur XLSX est falsifié : sa partie « xl/worksheets/sheet1.xml » se décompresse "
        "au-delà des 2 000 octets qu'elle annonce ; il n'est pas lu.",
    ),
    "entites-xml.xlsx": (
        None,
        None,
        "Le classeur XLSX contient une déclaration XML interdite (<!DOCTYPE> ou <!ENTITY> dans "
        "« xl/sharedStrings.xml ») : un tableur n'en écrit jamais ; il n'est pas lu.",
    ),
}
# Refused from the archive's directory and part checks alone: no XML parser ever sees them.
REFUSED_BEFORE_UNPACKING = {
    "archive-zip.xlsx",
    "classeur-libreoffice.ods",
    "classeur-tronque.xlsx",
    "macros.xlsx",
    "bombe-zip.xlsx",
    "taille-mensongere.xlsx",
    "entites-xml.xlsx",
}


def corpus_files() -> list[str]:
    return sorted(path.name for path in BAD_FILES.iterdir() if path.is_file() and path.suffix != ".py")


def generator():
    spec = importlib.util.spec_from_file_location("make_bad_files", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def database_fingerprint() -> dict[str, list]:
    """Every row of every table but the sessions: what a refused file must leave as it was."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label != "sessions"
    }


@pytest.fixture
def existing_programmation():
    """A database with dossiers already, so that a file wrongly accepted would change them."""
    result = programmation_import(content=csv_bytes(GOOD_ROWS), filename="programmation.csv")
    assert result.ok, result.errors
    return result


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_corpus_holds_every_bad_file_and_only_those():
    assert corpus_files() == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


def test_the_corpus_is_what_its_script_writes():
    assert generator().corpus() == {name: (BAD_FILES / name).read_bytes() for name in corpus_files()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_service_refuses_each_bad_file_precisely_and_writes_nothing(name, existing_programmation):
    before = database_fingerprint()
    result = programmation_import(content=(BAD_FILES / name).read_bytes(), filename=name)
    assert [(issue.row, issue.column, issue.message) for issue in result.errors] == [EXPECTED[name]]
    assert result.summary() == "1 erreur(s) : rien n'a été enregistré."
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_browser_import_refuses_each_bad_file_and_offers_no_confirmation(
    name, existing_programmation, agent_client, media_root
):
    before = database_fingerprint()
    response = agent_client.post(URL, {"file": SimpleUploadedFile(name, (BAD_FILES / name).read_bytes())})
    assert response.status_code == 200
    page = htmllib.unescape(response.content.decode())
    if name in REFUSED_BY_THE_FORM:
        assert REFUSED_BY_THE_FORM[name] in page
        assert 'enctype="multipart/form-data"' in page  # back to the upload form
        assert "Aperçu" not in page
    else:
        row, column, message = EXPECTED[name]
        assert "Le fichier contient des erreurs" in page
        assert "1 erreur : rien n'a été enregistré." in page
        shown_column = f"<code>{column}</code>" if column else "—"
        assert f'<td class="num">{row or "—"}</td><td>{shown_column}</td><td>{message}</td>' in page
    assert 'value="confirm"' not in page
    assert 'name="token"' not in page
    assert not (media_root / "imports").exists() or not any((media_root / "imports").iterdir())
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", sorted(REFUSED_BEFORE_UNPACKING))
def test_a_crafted_archive_is_refused_before_any_xml_is_parsed(name, monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(xlsxfile.openpyxl, "load_workbook", no_parsing)
    with pytest.raises(TableError) as info:
        read_table((BAD_FILES / name).read_bytes(), name)
    assert str(info.value) == EXPECTED[name][2]


def test_the_size_limit_holds_for_the_service_and_the_command_too(settings, tmp_path, existing_programmation):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1024 * 1024
    content = csv_bytes(GOOD_ROWS)
    content += b"\n" * (settings.IMPORT_MAX_UPLOAD_SIZE + 1 - len(content))
    before = database_fingerprint()
    result = programmation_import(content=content, filename="programmation.csv")
    assert [str(issue) for issue in result.errors] == ["Le fichier dépasse la taille maximale de 1 Mo."]
    path = tmp_path / "programmation.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_programmation", str(path))
    assert database_fingerprint() == before
    # At the limit exactly, the file is read.
    assert programmation_import(content=content[:-1], filename="programmation.csv").ok


def test_the_default_size_limit_is_the_upload_limit(settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    with pytest.raises(TableError) as info:
        read_table(b"a;b\n" + b"1;2\n" * (10 * 1024 * 1024 // 4), "f.csv")
    assert str(info.value) == "Le fichier dépasse la taille maximale de 10 Mo."


# -- What is right must still be read right ------------------------------------------------------

FRENCH = "Cœur de quartier : « l’été à 1 000 € », élèves, mères, Noël, garçons"
OPERATOR = "Association Œuvre d’entraide à Béthune"


def french_rows():
    rows = [list(row) for row in GOOD_ROWS]
    for row in rows[:3]:  # the rows of dossier D-001
        row[2] = FRENCH
        row[3] = OPERATOR
    return rows


def assert_imported_with_every_accent(content: bytes, filename: str):
    result = programmation_import(content=content, filename=filename)
    assert result.ok, [str(issue) for issue in result.errors]
    dossier = Project.objects.get(reference="D-001")
    assert dossier.title == FRENCH
    assert dossier.operator.name == OPERATOR
    assert Operator.objects.filter(name=OPERATOR).count() == 1
    assert FundingLine.objects.filter(project=dossier).count() == 3


def test_a_windows_1252_csv_from_french_excel_keeps_every_accent():
    content = csv_bytes(french_rows(), encoding="cp1252")
    for character in "éèàœ€’":
        assert character.encode("cp1252") in content and len(character.encode("cp1252")) == 1
    assert_imported_with_every_accent(content, "programmation.csv")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_excel_unicode_text_utf16_tab_separated_keeps_every_accent(encoding):
    """Excel's "Texte Unicode" is UTF-16 with a byte order mark, tab-separated; without the
    mark it is still recognised."""
    text = "\r\n".join("\t".join(row) for row in [COLUMNS, *french_rows()]) + "\r\n"
    content = text.encode(encoding)
    assert content.startswith(b"\xff\xfe") == (encoding == "utf-16")
    assert_imported_with_every_accent(content, "programmation.txt")


def test_a_utf8_csv_with_bom_keeps_every_accent():
    assert_imported_with_every_accent(csv_bytes(french_rows(), bom=True), "programmation.csv")


def test_typographic_signs_of_windows_1252_are_not_taken_for_a_wrong_encoding():
    content = "annee;intitule\n2022;« Dire… » – l’atelier • 5 € — Œuvre ™\n".encode("cp1252")
    assert read_table(content, "f.csv").rows == [(2, ["2022", "« Dire… » – l’atelier • 5 € — Œuvre ™"])]


def _workbook(sheet_rows: str) -> bytes:
    module = generator()
    sheet = module.SHEET.format(rows=sheet_rows, padding="")
    return module.zip_bytes(module.workbook_parts(sheet))


def test_a_formula_is_read_as_the_value_the_spreadsheet_saved():
    """Even an empty result (`<v></v>`) is a saved value, unlike a formula with no `<v>` at all."""
    content = _workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>montant</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>note</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>annee</t></is></c></row>'
        '<row r="2"><c r="A2"><f>1000*12</f><v>12000</v></c>'
        '<c r="B2" t="str"><f>IF(A2&gt;0,"","?")</f><v></v></c><c r="C2"><v>2022</v></c></row>'
    )
    assert read_table(content, "f.xlsx").rows == [(2, ["12000", "", "2022"])]


def test_an_empty_cell_far_to_the_right_is_ignored_not_counted_as_columns():
    content = _workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>annee</t></is></c><c r="XFD1" s="1"/></row>'
        '<row r="2"><c r="A2"><v>2022</v></c><c r="XFD2" t="inlineStr"><is><t> </t></is></c></row>'
    )
    table = read_table(content, "f.xlsx")
    assert table.headers == ["annee"]
    assert table.rows == [(2, ["2022"])]


def test_the_limits_themselves_are_accepted():
    header = ";".join(f"c{n}" for n in range(MAX_COLUMNS))
    long_cell = "x" * MAX_CELL_LENGTH
    content = (header + "\n" + long_cell + "\n" + "1\n" * (MAX_ROWS - 1)).encode()
    table = read_table(content, "f.csv")
    assert len(table.headers) == MAX_COLUMNS
    assert len(table.rows) == MAX_ROWS
    assert table.rows[0][1][0] == long_cell


def test_a_header_after_blank_lines_is_still_found():
    assert read_table(b"\n;;\nannee;intitule\n2022;x\n", "f.csv").rows == [(4, ["2022", "x"])]


def test_a_workbook_written_by_openpyxl_without_formulas_reads_as_before():
    book = openpyxl.Workbook()
    book.active.append(["annee", "intitule"])
    book.active.append([2022, "Café"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_table(buffer.getvalue(), "f.xlsx").rows == [(2, ["2022", "Café"])]


def test_the_zip_bomb_of_the_corpus_is_a_real_one():
    with zipfile.ZipFile(BAD_FILES / "bombe-zip.xlsx") as archive:
        declared = sum(info.file_size for info in archive.infolist())
        with archive.open("xl/worksheets/sheet1.xml") as part:
            inflated = sum(len(chunk) for chunk in iter(lambda: part.read(1 << 20), b""))
    assert (BAD_FILES / "bombe-zip.xlsx").stat().st_size < 300_000
    assert declared > tabular.MAX_XLSX_UNCOMPRESSED
    assert inflated > tabular.MAX_XLSX_UNCOMPRESSED


def test_the_lying_workbook_really_inflates_beyond_what_it_declares():
    content = (BAD_FILES / "taille-mensongere.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    inflated = zlib.decompressobj(-15).decompress(content[start : start + info.compress_size])
    assert info.file_size == 2000
    assert len(inflated) > 10_000_000
    assert re.match(rb"<\?xml", inflated)

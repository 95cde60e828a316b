#!/usr/bin/env python3
"""Write the corpus of bad programmation files beside this script.

Each file is what a person or a hostile sender might upload instead of a programmation
(docs/import-format.md §4): wrong format behind the extension, broken encodings, damaged or crafted
workbooks, absurd sizes. Most are a valid programmation with one defect, so that a reader that
missed the defect would import them. tests/projects/test_bad_files.py asserts the exact French
message each one gets, that nothing is written, and that this script still writes the same bytes.

Deterministic, standard library only; the workbooks are assembled part by part (fixed dates,
fixed order), which also lets a part lie about its size or carry what no spreadsheet writes.

Usage: python3 tests/projects/bad_files/make_bad_files.py [OUTPUT_DIRECTORY]
"""

import io
import random
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
# The import format's columns (a standard-library module of the project).
sys.path.insert(0, str(HERE.parents[2]))
from projects.imports.format import COLUMNS  # noqa: E402

ROWS = [
    [
        "2022",
        "D-001",
        "Réussite éducative",
        "Association Élan",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062008",
        "programme",
        "anct",
        "",
        "12000",
        "10000",
    ],
    [
        "2022",
        "D-001",
        "Réussite éducative",
        "Association Élan",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062008",
        "programme",
        "caf",
        "",
        "5000",
        "5000",
    ],
    [
        "2022",
        "D-002",
        "Café des parents à la médiathèque",
        "Centre social Les Hêtres",
        "",
        "association",
        "cohesion_sociale",
        "1.1",
        "QP062011",
        "depose",
        "commune",
        "",
        "2500",
        "",
    ],
]
DATE = (2024, 1, 1, 0, 0, 0)
MONTANT = COLUMNS.index("montant_demande")


# -- CSV --------------------------------------------------------------------------------------


def csv_text(rows=ROWS, header=COLUMNS, separator=";") -> str:
    return "".join(separator.join(row) + "\r\n" for row in [header, *rows])


def with_cell(rows, row_index, column, value):
    """A copy of `rows` with one cell changed."""
    rows = [list(row) for row in rows]
    rows[row_index][COLUMNS.index(column)] = value
    return rows


# -- XLSX, assembled by hand -----------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{extra}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Programmation" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)
SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{rows}</sheetData>{padding}</worksheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_xml(reference: str, value) -> str:
    """A cell: text, number, or a raw XML fragment given as ("xml", attributes, inner)."""
    if isinstance(value, tuple):
        _, attributes, inner = value
        return f'<c r="{reference}"{attributes}>{inner}</c>'
    if value == "":
        return ""
    if isinstance(value, int):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def sheet_xml(rows, first_row=1, padding="") -> str:
    rows_xml = []
    for number, row in enumerate(rows, start=first_row):
        cells = "".join(cell_xml(f"{column_letter(i)}{number}", value) for i, value in enumerate(row))
        rows_xml.append(f'<row r="{number}">{cells}</row>')
    return SHEET.format(rows="".join(rows_xml), padding=padding)


def typed(rows):
    """Rows as a spreadsheet holds them: the year and the amounts as numbers."""
    numeric = {"annee", "montant_demande", "montant_accorde"}
    return [
        [int(value) if COLUMNS[i] in numeric and value else value for i, value in enumerate(row)]
        for row in rows
    ]


def workbook_parts(sheet: str, content_types_extra="", rels_extra="", extra_parts=()) -> list:
    return [
        ("[Content_Types].xml", CONTENT_TYPES.format(extra=content_types_extra).encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("xl/workbook.xml", WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=rels_extra).encode()),
        ("xl/worksheets/sheet1.xml", sheet.encode()),
        *extra_parts,
    ]


def zip_bytes(parts, compress_type=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = compress_type
            info.external_attr = 0o644 << 16
            if callable(data):
                # Written in pieces: a part too large to hold in memory twice.
                with archive.open(info, "w", force_zip64=False) as part:
                    data(part)
            else:
                archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def good_xlsx() -> bytes:
    return zip_bytes(workbook_parts(sheet_xml([COLUMNS, *typed(ROWS)])))


def lying_sizes(content: bytes, part: str, declared: int) -> bytes:
    """The archive with `part` declaring `declared` bytes once inflated (both in its local
    header and in the central directory), the checksum of those first bytes to match."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(part)
        first_bytes = archive.read(part)[:declared]
    crc = zlib.crc32(first_bytes)
    raw = bytearray(content)
    struct.pack_into("<L", raw, info.header_offset + 14, crc)
    struct.pack_into("<L", raw, info.header_offset + 22, declared)
    name = part.encode()
    position = raw.find(b"PK\x01\x02")
    while position != -1:
        if raw[position + 46 : position + 46 + len(name)] == name:
            struct.pack_into("<L", raw, position + 16, crc)
            struct.pack_into("<L", raw, position + 24, declared)
        position = raw.find(b"PK\x01\x02", position + 4)
    return bytes(raw)


def zip_bomb() -> bytes:
    """A real one: 201 Mo of blanks inside the sheet, which deflate shrinks to 200 Ko."""
    sheet = sheet_xml([COLUMNS, *typed(ROWS)])
    head, tail = sheet.rsplit("</worksheet>", 1)
    blanks = b" " * (1024 * 1024)

    def write(part):
        part.write(head.encode())
        for _ in range(201):
            part.write(blanks)
        part.write(b"</worksheet>" + tail.encode())

    parts = workbook_parts("")
    parts[4] = ("xl/worksheets/sheet1.xml", write)
    return zip_bytes(parts)


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!DOCTYPE sst [{entities}]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    )
    rows = typed(ROWS)
    rows[0][COLUMNS.index("intitule")] = ("xml", ' t="s"', "<v>0</v>")
    return zip_bytes(
        workbook_parts(
            sheet_xml([COLUMNS, *rows]),
            content_types_extra='<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>',
            rels_extra='<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>',
            extra_parts=[("xl/sharedStrings.xml", shared.encode())],
        )
    )


# -- Other formats ----------------------------------------------------------------------------


def png() -> bytes:
    """A real 2 x 2 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels, 9))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    """A real one-page PDF saying "Programmation 2022"."""
    stream = b"BT /F1 18 Tf 72 720 Td (Programmation 2022) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def ole2() -> bytes:
    """The header block of a compound document, as Excel 97-2003 files and password-protected
    workbooks start (the rest zeroed)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 0x03, 0xFFFE)
    struct.pack_into("<H", header, 30, 9)
    return bytes(header) + bytes(512)


# -- The corpus -------------------------------------------------------------------------------


def corpus() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    utf8 = csv_text().encode()

    # Empty, or nothing but a header.
    files["vide.csv"] = b""
    files["separateurs-seuls.csv"] = b";;\r\n\r\n;;;\r\n"
    files["en-tetes-seuls.csv"] = csv_text(rows=[]).encode()
    files["en-tetes-espaces.csv"] = csv_text(header=["   "] * len(COLUMNS)).encode()

    # Content that does not match the extension.
    files["binaire.csv"] = b"\x00\x00" + random.Random(6).randbytes(4094)
    files["image-png.csv"] = png()
    files["document-pdf.xlsx"] = pdf()
    files["texte-csv.xlsx"] = utf8
    files["classeur-xlsx.csv"] = good_xlsx()
    files["ancien-excel.xls"] = ole2()
    files["classeur-protege.xlsx"] = ole2()
    files["archive-zip.xlsx"] = zip_bytes([("programmation.csv", utf8)])
    files["classeur-libreoffice.ods"] = zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", b'<?xml version="1.0" encoding="UTF-8"?><office:document-content/>'),
        ],
        compress_type=zipfile.ZIP_STORED,
    )

    # Encodings that would break the accents.
    files["accents-ms-dos.csv"] = csv_text().replace("É", "E").encode("cp850")
    files["accents-mac.csv"] = csv_text().encode("mac_roman")
    files["accents-abimes.csv"] = csv_text().encode("utf-8").decode("cp1252").encode("utf-8")
    files["encodages-melanges.csv"] = csv_text(rows=ROWS[:2]).encode("utf-8") + csv_text(
        rows=ROWS[2:], header=[]
    ).lstrip("\r\n").encode("cp1252")
    files["utf8-annonce-a-tort.csv"] = b"\xef\xbb\xbf" + csv_text().encode("cp1252")

    # Text with what a CSV never holds, or too much of it.
    files["octet-nul.csv"] = csv_text(rows=with_cell(ROWS, 1, "intitule", "Réussite\x00 éducative")).encode()
    files["guillemet-non-ferme.csv"] = csv_text(
        rows=with_cell(ROWS, 1, "intitule", '"Réussite éducative')
    ).encode()
    files["cellule-trop-longue.csv"] = csv_text(rows=with_cell(ROWS, 0, "intitule", "é" * 10_001)).encode()
    files["ligne-demesuree.csv"] = (csv_text(rows=[]) + "x" * 200_000 + "\r\n").encode()
    files["trop-de-colonnes.csv"] = csv_text(
        header=COLUMNS + [f"colonne_{n}" for n in range(15, 151)], rows=[]
    ).encode()
    files["trop-de-lignes.csv"] = (csv_text(rows=[]) + "2022\r\n" * 100_001).encode()
    files["cellule-sans-en-tete.csv"] = csv_text(rows=[ROWS[0], ROWS[1] + ["en trop"], ROWS[2]]).encode()

    # Workbooks: damaged, empty, uncalculated, crafted.
    files["classeur-tronque.xlsx"] = good_xlsx()[: len(good_xlsx()) * 2 // 3]
    files["feuille-vide.xlsx"] = zip_bytes(workbook_parts(sheet_xml([])))
    formula = typed(ROWS)
    formula[0][MONTANT] = ("xml", "", "<f>10000+2000</f>")
    files["formule-sans-valeur.xlsx"] = zip_bytes(workbook_parts(sheet_xml([COLUMNS, *formula])))
    error = typed(ROWS)
    error[1][MONTANT] = ("xml", ' t="e"', "<f>5000/0</f><v>#DIV/0!</v>")
    files["erreur-de-formule.xlsx"] = zip_bytes(workbook_parts(sheet_xml([COLUMNS, *error])))
    files["macros.xlsx"] = zip_bytes(
        workbook_parts(
            sheet_xml([COLUMNS, *typed(ROWS)]),
            extra_parts=[("xl/vbaProject.bin", ole2())],
        )
    )
    files["macros.xlsm"] = good_xlsx()
    far = typed(ROWS)
    far[0] = far[0] + [""] * (16_383 - len(far[0])) + ["note"]
    files["colonne-lointaine.xlsx"] = zip_bytes(workbook_parts(sheet_xml([COLUMNS, *far])))
    files["ligne-hors-limites.xlsx"] = zip_bytes(
        workbook_parts(
            sheet_xml([COLUMNS, *typed(ROWS)]).replace(
                "</sheetData>", '<row r="1048577"><c r="A1048577"><v>2022</v></c></row></sheetData>'
            )
        )
    )
    files["bombe-zip.xlsx"] = zip_bomb()
    blanks = sheet_xml([COLUMNS, *typed(ROWS)], padding=" " * 20_000_000)
    files["taille-mensongere.xlsx"] = lying_sizes(
        zip_bytes(workbook_parts(blanks)), "xl/worksheets/sheet1.xml", 2000
    )
    files["entites-xml.xlsx"] = billion_laughs()
    return files


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    output.mkdir(parents=True, exist_ok=True)
    files = corpus()
    for name, content in files.items():
        (output / name).write_bytes(content)
    print(f"{len(files)} fichiers écrits dans {output}")


if __name__ == "__main__":
    main()

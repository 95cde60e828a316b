"""A piece's content against its extension (documents/sniffing.py): what is accepted, and the
French message of each refusal."""

import pytest

from documents import sniffing
from documents.errors import DocumentRefused
from tests.documents import samples


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("statuts.pdf", samples.PDF, "application/pdf"),
        ("RIB.PDF", samples.PDF, "application/pdf"),
        ("scan.png", samples.PNG, "image/png"),
        ("scan.jpg", samples.JPEG, "image/jpeg"),
        ("scan.jpeg", samples.JPEG, "image/jpeg"),
        (
            "budget.docx",
            samples.ooxml("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "budget.xlsx",
            samples.ooxml("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "bilan.pptx",
            samples.ooxml("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("rapport.odt", samples.odf(), "application/vnd.oasis.opendocument.text"),
        (
            "budget.ods",
            samples.odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            "bilan.odp",
            samples.odf("application/vnd.oasis.opendocument.presentation"),
            "application/vnd.oasis.opendocument.presentation",
        ),
    ],
)
def test_accepted_kinds(name, content, content_type):
    assert sniffing.check_content(content, name).content_type == content_type


def test_a_real_xlsx_workbook_is_accepted():
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Budget"
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert sniffing.check_content(buffer.getvalue(), "budget.xlsx") == sniffing.XLSX


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(DocumentRefused) as refused:
        sniffing.check_content(content, name)
    return refused.value.message


def test_a_pdf_that_is_really_a_windows_program():
    assert refusal(samples.EXECUTABLE, "statuts.pdf") == (
        "Le fichier « statuts.pdf » est refusé : son nom annonce un document PDF, mais son contenu est "
        "un programme Windows (exécutable)."
    )


def test_a_pdf_that_is_really_a_linux_program():
    assert "un programme (exécutable Linux)" in refusal(samples.ELF, "rib.pdf")


def test_a_png_named_pdf_is_refused_with_both_kinds_named():
    assert refusal(samples.PNG, "statuts.pdf") == (
        "Le fichier « statuts.pdf » est refusé : son nom annonce un document PDF, mais son contenu est "
        "une image PNG. Renommez-le avec la bonne extension."
    )


def test_a_word_document_named_xlsx():
    assert (
        "son nom annonce un classeur Excel (.xlsx), mais son contenu est un document Word (.docx)"
        in refusal(samples.docx(), "budget.xlsx")
    )


def test_text_named_pdf():
    assert refusal(b"Bonjour, voici nos statuts.", "statuts.pdf").endswith(
        "son contenu est un fichier texte."
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("programme.exe", "« .exe »"),
        ("statuts.txt", "« .txt »"),
        ("statuts", "sans extension"),
        (".pdf", "sans extension"),
    ],
)
def test_extensions_outside_the_list_are_refused(name, shown):
    assert refusal(samples.PDF, name) == (
        f"Le fichier « {name} » est refusé : format {shown} non accepté. Formats acceptés : PDF, image PNG "
        "ou JPEG, document Word, Excel ou PowerPoint (.docx, .xlsx, .pptx), OpenDocument (.odt, .ods, .odp)."
    )


def test_an_empty_file():
    assert refusal(b"", "statuts.pdf") == "Le fichier « statuts.pdf » est vide."


def test_a_plain_zip_named_docx():
    content = samples.zip_bytes([("photo.txt", b"rien")])
    assert refusal(content, "statuts.docx").endswith("son contenu est une archive ZIP.")


def test_a_zip_bomb_in_a_word_document():
    content = samples.zip_bomb_docx(25)
    assert len(content) < 100_000

    assert refusal(content, "budget.docx") == (
        "Le fichier « budget.docx » est refusé : une fois décompressé, il occuperait bien plus qu'un document "
        "(bombe de décompression) ; il n'est pas enregistré."
    )


def test_a_zip_bomb_that_hides_its_size():
    content = samples.hidden_bomb_docx()

    assert refusal(content, "budget.docx") == (
        "Le fichier « budget.docx » est refusé : sa partie « word/document.xml » se décompresse au-delà "
        "de la taille qu'elle annonce (bombe de décompression cachée) ; il n'est pas enregistré."
    )


def test_an_archive_with_too_many_parts(monkeypatch):
    monkeypatch.setattr(sniffing, "MAX_ENTRIES", 3)
    content = samples.ooxml("docx", extra=[("word/media/image1.png", samples.PNG)])

    assert refusal(content, "budget.docx").endswith("il contient 4 parties, bien plus qu'un document.")


def test_a_word_document_with_macros():
    content = samples.ooxml("docm", extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")])
    assert "le document contient des macros" in refusal(content, "budget.docx")


def test_a_docx_carrying_a_vba_project():
    content = samples.ooxml("docx", extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")])
    assert "le document contient des macros" in refusal(content, "budget.docx")


def test_an_opendocument_with_basic_macros():
    content = samples.odf(extra=[("Basic/Standard/Module1.xml", b"<script/>")])
    assert "le document contient des macros" in refusal(content, "rapport.odt")


def test_a_password_protected_document():
    assert refusal(samples.encrypted_flag(samples.docx()), "budget.docx").endswith(
        "le document est protégé par un mot de passe : enregistrez-le sans mot de passe."
    )


def test_a_part_whose_checksum_fails():
    content = bytearray(samples.docx(b"<w:document>" + b"texte " * 200 + b"</w:document>"))
    position = content.find(b"PK\x01\x02")  # the central directory's first entry: its CRC
    content[position + 16] ^= 0xFF

    assert refusal(bytes(content), "budget.docx").endswith("est illisible (fichier endommagé ou falsifié).")


def test_a_truncated_document():
    content = samples.docx()
    assert "archive illisible" in refusal(content[: len(content) // 2], "budget.docx")


def test_a_legacy_word_document_is_named():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    assert refusal(ole, "budget.docx").endswith("un document Office ancien (.doc, .xls ou .ppt).")

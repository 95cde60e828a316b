"""The name a porteur gave a file, cleaned (documents/filenames.py)."""

import pytest

from documents.errors import DocumentRefused
from documents.filenames import MAX_NAME_LENGTH, extension_of, sanitize_filename


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("statuts.pdf", "statuts.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\asso\\Documents\\RIB 2024.pdf", "RIB 2024.pdf"),
        ("/var/www/media/documents/1/x.pdf", "x.pdf"),
        ("comptes\x00approuvés.pdf", "comptesapprouvés.pdf"),
        ("budget\r\nprévisionnel.xlsx", "budgetprévisionnel.xlsx"),
        # U+202E RIGHT-TO-LEFT OVERRIDE: shown as "statutsfdp.exe"... once removed, the real name.
        ("statuts\u202eexe.pdf", "statutsexe.pdf"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("  espaces   multiples .pdf  ", "espaces multiples .pdf"),
        ("Statuts de l'association « Élan ».pdf", "Statuts de l'association « Élan ».pdf"),
        ("trailing.pdf...", "trailing.pdf"),
    ],
)
def test_names_are_cleaned(given, kept):
    assert sanitize_filename(given) == kept


def test_decomposed_accents_are_composed():
    assert sanitize_filename("re\u0301sume\u0301.pdf") == "résumé.pdf"


@pytest.mark.parametrize("given", ["\x00\x01\x02", "\u202e\u200b", "../../", "\\", "   ", "...", ""])
def test_a_name_with_nothing_readable_is_refused_in_french(given):
    with pytest.raises(DocumentRefused) as refused:
        sanitize_filename(given)

    assert refused.value.message == (
        "Le nom du fichier est illisible (il ne contient que des caractères invisibles ou des séparateurs "
        "de dossiers) : renommez le fichier, puis déposez-le à nouveau."
    )


def test_a_long_name_keeps_its_extension():
    name = sanitize_filename("a" * 400 + ".pdf")

    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("a.pdf")


@pytest.mark.parametrize(
    ("name", "extension"), [("a.PDF", "pdf"), ("a.tar.gz", "gz"), ("sans", ""), (".pdf", ""), ("a.", "")]
)
def test_extension_of(name, extension):
    assert extension_of(name) == extension

"""Reading a CSV file: its encoding found (UTF-8 with or without BOM, Windows-1252 as French
Excel writes it, UTF-16 as Excel's "Texte Unicode" writes it) and checked (no binary, no broken
accents), its separator found (`;`, `,` or tab), its rows read with their line numbers.
"""

import csv
import io
import re
from collections.abc import Iterator

from .base import MAX_CELL_LENGTH, TableError, thousands

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control characters never found in a text file (tab, line feed and carriage return are).
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _looks_binary(content: bytes) -> bool:
    """Many control bytes: a binary file, not a text with one stray character."""
    sample = content[:65536]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls > max(8, len(sample) // 100)


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 written without its byte order mark: every other byte of Latin text is zero."""
    if len(content) < 4 or len(content) % 2:
        return None
    sample = content[:65536]
    even_zeros = sample[0::2].count(0) / (len(sample) / 2)
    odd_zeros = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zeros >= 0.7 and even_zeros <= 0.1:
        return "utf-16-le"
    if even_zeros >= 0.7 and odd_zeros <= 0.1:
        return "utf-16-be"
    return None


# Text that went through a wrong conversion: UTF-8 bytes read as Windows-1252 then saved again
# ("CafÃ©" for "Café", "lâ€™" for "l’"). The lead characters are those of the UTF-8 encodings of
# French letters, no-break space and guillemets, œ, and the typographic quotes, dashes and €.
_CONTINUATION = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xC0)
)
MOJIBAKE = re.compile(f"[ÂÃÅ][{re.escape(_CONTINUATION)}]|â[{re.escape(_CONTINUATION)}]{{2}}")
# Decoded as Windows-1252, an MS-DOS (cp850) or Mac file shows these signs inside words
# ("caf‚" for "café", "rŽunion" for "réunion"), where French text never has them.
_FOREIGN = "‚ƒ„†‡ˆ‰‹˜›¤¦¼½¾"
WRONG_CODE_PAGE = re.compile(f"[A-Za-z][{_FOREIGN}]|[{_FOREIGN}][A-Za-z]|[a-z][ŠŽ]")
_WORD_SEPARATORS = " \t\r\n;,\"'"


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _word_at(text: str, start: int, end: int) -> str:
    while start > 0 and text[start - 1] not in _WORD_SEPARATORS and end - start < 40:
        start -= 1
    while end < len(text) and text[end] not in _WORD_SEPARATORS and end - start < 40:
        end += 1
    return text[start:end]


def _check_text(text: str, *, from_cp1252: bool) -> None:
    """Refuse a decoded CSV whose characters show it is not text, or not in the encoding it was
    read in: importing it would store broken accents."""
    control = CONTROL_CHARACTER.search(text)
    if control:
        code = ord(control.group())
        what = "un caractère nul (octet 0)" if code == 0 else f"un caractère de contrôle (code {code})"
        raise TableError(
            f"Ligne {_line_of(text, control.start())} : le fichier contient {what} : ce n'est pas un "
            "fichier CSV lisible ; enregistrez-le à nouveau en CSV depuis votre tableur."
        )
    for match in MOJIBAKE.finditer(text):
        try:
            fixed = match.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        raise TableError(
            f"Ligne {_line_of(text, match.start())} : accents abîmés (« {match.group()} » au lieu de "
            f"« {fixed} ») : le fichier a été mal converti ; enregistrez-le à nouveau en "
            "« CSV UTF-8 » depuis votre tableur."
        )
    if from_cp1252:
        match = WRONG_CODE_PAGE.search(text)
        if match:
            raise TableError(
                f"Ligne {_line_of(text, match.start())} : accents illisibles "
                f"(« {_word_at(text, match.start(), match.end())} ») : le fichier n'est ni en UTF-8 "
                "ni en Windows-1252 (encodage MS-DOS ou Mac ?) ; enregistrez-le en « CSV UTF-8 » "
                "depuis votre tableur."
            )


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            text = content[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TableError(
                "Le fichier CSV annonce l'encodage UTF-8 mais contient des caractères d'un autre "
                "encodage : enregistrez-le à nouveau en « CSV UTF-8 » depuis votre tableur."
            ) from exc
        _check_text(text, from_cp1252=False)
        return text
    utf16 = "utf-16" if content.startswith(UTF16_BOMS) else _utf16_without_bom(content)
    if utf16:
        # Excel's "Texte Unicode" (UTF-16, tab-separated).
        try:
            text = content.decode(utf16).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise TableError(
                "Le fichier semble encodé en UTF-16 mais n'est pas lisible ainsi : enregistrez-le "
                "en « CSV UTF-8 » depuis votre tableur."
            ) from exc
        _check_text(text, from_cp1252=False)
        return text
    if _looks_binary(content):
        raise TableError("Le fichier n'est pas un fichier CSV lisible (caractères binaires).")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_text(text, from_cp1252=False)
        return text
    # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252. Bytes that
    # cp1252 leaves undefined mean the file is neither: refuse rather than guess.
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            "Le fichier CSV n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en "
            "« CSV UTF-8 » depuis votre tableur."
        ) from exc
    _check_text(text, from_cp1252=True)
    return text


def _detect_delimiter(text: str) -> str:
    first_line = next((line for line in text.split("\n", 50) if line.strip()), "")
    semicolons, commas, tabs = first_line.count(";"), first_line.count(","), first_line.count("\t")
    if tabs > max(semicolons, commas):
        return "\t"
    return ";" if semicolons >= commas else ","


def looks_like_csv(content: bytes) -> bool:
    try:
        text = _decode(content[:4096])
    except (TableError, UnicodeError):
        return False
    first_line = text.split("\n", 1)[0]
    return any(separator in first_line for separator in ";,\t")


# The csv module's own bound on a cell (its default): a longer cell, or an unclosed quote that
# would swallow the rest of the file, stops the reading there. Set at every read: the bound is
# process-wide, and a library may raise it (frictionless sets it to sys.maxsize on import).
CSV_FIELD_LIMIT = 131_072


def read_csv(content: bytes) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    text = _decode(content)
    delimiter = _detect_delimiter(text)
    # Python's csv rather than tablib's CSV loader: tablib drops blank lines, which would
    # shift the row numbers we report to the user.
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    unbalanced_quotes = text.count('"') % 2 == 1
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise TableError(
                    f"Le fichier CSV est mal formé à la ligne {reader.line_num} : {exc}."
                ) from exc
            if unbalanced_quotes:
                raise _unclosed_quote(first_line) from exc
            raise TableError(
                f"Ligne {first_line} : une cellule compte plus de {thousands(csv.field_size_limit())} "
                f"caractères ; {thousands(MAX_CELL_LENGTH)} au plus sont acceptés."
            ) from exc
        if unbalanced_quotes and reader.line_num > first_line and stream.tell() >= len(text):
            # The csv module reads an unclosed quote to the end of the file as one cell.
            raise _unclosed_quote(first_line)
        yield reader.line_num, row


def _unclosed_quote(line: int) -> TableError:
    return TableError(
        f"Ligne {line} : un guillemet (\") ouvert n'est jamais refermé : toute la suite du fichier "
        "serait lue comme une seule cellule. Corrigez cette ligne ou enregistrez le fichier à "
        "nouveau depuis votre tableur."
    )

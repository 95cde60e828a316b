"""Reading an XLSX workbook's first sheet. The archive is checked part by part (declared
sizes, real inflated sizes, no DTD, no macros, not encrypted) before any XML parser sees it.
"""

import io
import posixpath
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter

from .base import EXCEL_MAX_ROWS, MAX_XLSX_PARTS, MAX_XLSX_UNCOMPRESSED, TableError, thousands

_CHUNK = 1024 * 1024

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_OOXML_FIRST_PARTS = ("[content_types].xml", "_rels/", "docprops/", "xl/")
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# A formula element, with or without a namespace prefix: <f>, <f t="shared" .../>, <x:f>.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_DAMAGED = "Le classeur XLSX n'a pas pu être lu (fichier endommagé ?)."


def _open_archive(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        if _truncated_workbook(content):
            raise TableError(
                "Le classeur XLSX est incomplet (fichier tronqué, par exemple par un téléchargement "
                "interrompu) : enregistrez-le ou téléchargez-le à nouveau."
            ) from exc
        raise TableError("Le fichier n'est pas un classeur XLSX valide.") from exc


def _truncated_workbook(content: bytes) -> bool:
    """The archive has no directory at its end, but starts as a workbook does."""
    if len(content) < _LOCAL_HEADER.size:
        return False
    fields = _LOCAL_HEADER.unpack_from(content)
    name = content[_LOCAL_HEADER.size : _LOCAL_HEADER.size + fields[10]]
    try:
        return name.decode("utf-8").lower().startswith(_OOXML_FIRST_PARTS)
    except UnicodeDecodeError:
        return False


def _inflate(content: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, in chunks, never more than it declares: a part whose data inflates
    beyond its declared size is refused as soon as it does, whatever zipfile would make of it."""
    offset = info.header_offset
    if offset + _LOCAL_HEADER.size > len(content):
        raise TableError(_damaged_part(info))
    fields = _LOCAL_HEADER.unpack_from(content, offset)
    if fields[0] != b"PK\x03\x04":
        raise TableError(_damaged_part(info))
    start = offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    data = content[start : start + info.compress_size]
    if len(data) < info.compress_size:
        raise TableError(_damaged_part(info))
    produced = crc = 0
    for chunk in _decompressed_chunks(data, info):
        produced += len(chunk)
        if produced > info.file_size:
            raise TableError(
                f"Le classeur XLSX est falsifié : sa partie « {info.filename} » se décompresse "
                f"au-delà des {thousands(info.file_size)} octets qu'elle annonce ; il n'est pas lu."
            )
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise TableError(_damaged_part(info))


def _decompressed_chunks(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    if info.compress_type == zipfile.ZIP_STORED:
        for index in range(0, len(data), _CHUNK):
            yield data[index : index + _CHUNK]
        return
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = data
    while not decompressor.eof:
        try:
            chunk = decompressor.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise TableError(_damaged_part(info)) from exc
        pending = decompressor.unconsumed_tail
        if not chunk and not pending:
            # The compressed data ends before its end-of-stream mark.
            raise TableError(_damaged_part(info))
        yield chunk


def _damaged_part(info: zipfile.ZipInfo) -> str:
    return (
        f"Le classeur XLSX est endommagé (partie « {info.filename} » illisible) : enregistrez-le à "
        "nouveau depuis votre tableur."
    )


def _check_archive(content: bytes) -> bool:
    """Check an XLSX archive before any XML parser reads it; True when a sheet holds formulas."""
    with _open_archive(content) as archive:
        infos = archive.infolist()
        names = {info.filename.lower(): info for info in infos}
        if "mimetype" in names:
            raise TableError(
                "Le fichier est un document OpenDocument (LibreOffice, .ods) : enregistrez-le au "
                "format « Classeur Excel (.xlsx) » ou en CSV depuis votre tableur."
            )
        if "word/document.xml" in names:
            raise TableError(
                "Le fichier est un document Word, pas un classeur : déposez un fichier CSV ou XLSX."
            )
        if "[content_types].xml" not in names:
            raise TableError("Le fichier est une archive ZIP mais pas un classeur XLSX.")
        if len(infos) > MAX_XLSX_PARTS:
            raise TableError(
                f"Le fichier XLSX compte {thousands(len(infos))} parties, bien plus qu'un classeur : "
                "il n'est pas lu."
            )
        if "xl/vbaproject.bin" in names:
            raise TableError(
                "Le classeur contient des macros : enregistrez-le au format « Classeur Excel (.xlsx) », "
                "sans macros, puis importez-le à nouveau."
            )
        if sum(info.file_size for info in infos) > MAX_XLSX_UNCOMPRESSED:
            raise TableError("Le fichier XLSX est trop volumineux une fois décompressé.")
        has_formulas = False
        for info in infos:
            if info.flag_bits & 0x1:
                raise TableError(
                    "Le classeur XLSX est chiffré : enregistrez-le sans mot de passe, puis importez-le."
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise TableError(_damaged_part(info))
            name = info.filename.lower()
            is_xml = name.endswith((".xml", ".rels", ".vml"))
            is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            tail = b""
            for chunk in _inflate(content, info):
                if is_xml:
                    window = tail + chunk
                    if DOCTYPE.search(window):
                        raise TableError(
                            f"Le classeur XLSX contient une déclaration XML interdite (<!DOCTYPE> ou "
                            f"<!ENTITY> dans « {info.filename} ») : un tableur n'en écrit jamais ; il "
                            "n'est pas lu."
                        )
                    if is_sheet and not has_formulas and FORMULA_ELEMENT.search(window):
                        has_formulas = True
                    tail = chunk[-32:]
        return has_formulas


def _xlsx_position(number: int, position: int) -> str:
    return f"Cellule {get_column_letter(position + 1)}{number}"


# The parts that lead to the first worksheet (see `_first_worksheet`).
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_DEFAULT_WORKBOOK = "/xl/workbook.xml"
_RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _local_name(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2]


def _part_xml(content: bytes, archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A small part of the checked archive (content types, workbook, relationships), parsed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return ElementTree.fromstring(b"".join(_inflate(content, info)))


def _relationships(content: bytes, archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """(type, part name) of each relationship of `part`, by id; a target is relative to the
    part's folder unless it starts with `/`."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    rels = _part_xml(content, archive, rels_name)
    targets: dict[str, tuple[str, str]] = {}
    for relation in rels if rels is not None else ():
        if _local_name(relation) != "Relationship":
            continue
        target = relation.get("Target", "")
        if relation.get("TargetMode") != "External":
            target = (
                target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
        targets[relation.get("Id", "")] = (relation.get("Type", ""), target)
    return targets


def _first_worksheet(content: bytes, archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The part of the workbook's first worksheet, found as openpyxl finds the sheets it reads:
    the workbook part that the content types name, its `<sheet>` elements in order, each
    through the workbook's relationships to its part; the first that is in the archive and is
    not a chart sheet."""
    types = _part_xml(content, archive, "[Content_Types].xml")
    if types is None:
        return None
    overrides = [
        (element.get("ContentType"), element.get("PartName", ""))
        for element in types
        if _local_name(element) == "Override"
    ]
    workbook = next(
        (name for kind in _WORKBOOK_TYPES for content_type, name in overrides if content_type == kind), None
    )
    if workbook is None:
        defaults = {element.get("ContentType") for element in types if _local_name(element) == "Default"}
        if not defaults.intersection(_WORKBOOK_TYPES):
            return None
        workbook = _DEFAULT_WORKBOOK
    workbook = workbook[1:]
    book = _part_xml(content, archive, workbook)
    if book is None:
        return None
    relationships = _relationships(content, archive, workbook)
    names = set(archive.namelist())
    sheet_lists = [element for element in book if _local_name(element) == "sheets"]
    for sheet in sheet_lists[-1] if sheet_lists else ():
        kind, target = relationships.get(sheet.get(_RELATION_ID, sheet.get("id", "")), ("", ""))
        if target in names and "chartsheet" not in kind:
            return archive.getinfo(target)
    return None


def _uncached_formulas(content: bytes) -> Iterator[tuple[str, str]]:
    """(cell, formula) of each formula of the first worksheet saved without its computed value,
    as a program that writes workbooks without calculating them leaves it (a spreadsheet always
    saves the value). The archive was checked first: no DTD, sizes as declared; its parts are
    read here, by `_inflate`, never more than they declare."""
    with _open_archive(content) as archive:
        info = _first_worksheet(content, archive)
        if info is None:
            return
        parser = ElementTree.XMLPullParser()
        for chunk in _inflate(content, info):
            parser.feed(chunk)
            yield from _formulas_without_value(parser.read_events())
        parser.close()
        yield from _formulas_without_value(parser.read_events())


def _formulas_without_value(events) -> Iterator[tuple[str, str]]:
    for _event, element in events:
        tag = _local_name(element)
        if tag == "row":
            element.clear()
        if tag != "c":
            continue
        children = {_local_name(child): child for child in element}
        if "f" in children and "v" not in children:
            yield element.get("r", "?"), children["f"].text or ""
        element.clear()


def read_xlsx(content: bytes) -> Iterator[tuple[int, Sequence]]:
    has_formulas = _check_archive(content)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it ignores; they change no value.
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=True, keep_links=False
            )
        except TableError:
            raise
        except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
            raise TableError(_DAMAGED) from exc
        try:
            if not book.worksheets:
                raise TableError("Le classeur XLSX ne contient aucune feuille.")
            sheet = book.worksheets[0]
            if has_formulas:
                for cell, formula in _uncached_formulas(content):
                    shown = f"la formule « ={formula} »" if formula else "la formule"
                    raise TableError(
                        f"Cellule {cell} : {shown} n'a pas de valeur calculée "
                        "enregistrée : ouvrez le fichier dans votre tableur, enregistrez-le, puis "
                        "importez-le à nouveau."
                    )
            # The declared dimension may be a lie: rows are read as they are, not padded to it.
            sheet.reset_dimensions()
            seen = False
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > EXCEL_MAX_ROWS:
                    raise TableError(
                        f"Le classeur dépasse la dernière ligne d'une feuille Excel "
                        f"({thousands(EXCEL_MAX_ROWS)}) : il n'est pas lu."
                    )
                for position, value in enumerate(values):
                    if isinstance(value, str) and value in EXCEL_ERRORS:
                        raise TableError(
                            f"{_xlsx_position(number, position)} : la cellule contient l'erreur "
                            f"« {value} » : corrigez la formule dans votre tableur, puis importez à nouveau."
                        )
                seen = seen or any(value is not None for value in values)
                yield number, values
            if not seen:
                raise TableError(f"La première feuille du classeur (« {sheet.title} ») est vide.")
        except TableError:
            raise
        except Exception as exc:
            raise TableError(_DAMAGED) from exc
        finally:
            book.close()

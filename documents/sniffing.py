"""What a file is, from its content, checked against what its name says.

Accepted: PDF, PNG and JPEG images, Word / Excel / PowerPoint documents (DOCX, XLSX, PPTX,
without macros) and OpenDocument files (ODT, ODS, ODP). Signatures are checked in pure Python:
the first bytes for PDF and images; for office documents, a ZIP archive that declares the right
main part ([Content_Types].xml for Office, the `mimetype` entry for OpenDocument). Archives are
checked before anything is inflated (number of entries, declared sizes and their ratio to the
file's size, encryption), then every entry is inflated in bounded chunks, so a zip bomb, even one
lying about its sizes, is refused without ever being expanded in memory."""

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import DocumentRefused
from .filenames import extension_of


@dataclass(frozen=True)
class FileKind:
    label: str  # French, e.g. "un document PDF"
    content_type: str


PDF = FileKind("un document PDF", "application/pdf")
PNG = FileKind("une image PNG", "image/png")
JPEG = FileKind("une image JPEG", "image/jpeg")
DOCX = FileKind(
    "un document Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX = FileKind(
    "un classeur Excel (.xlsx)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
PPTX = FileKind(
    "une présentation PowerPoint (.pptx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
ODT = FileKind("un texte OpenDocument (.odt)", "application/vnd.oasis.opendocument.text")
ODS = FileKind("un classeur OpenDocument (.ods)", "application/vnd.oasis.opendocument.spreadsheet")
ODP = FileKind("une présentation OpenDocument (.odp)", "application/vnd.oasis.opendocument.presentation")

# Extension → the kind its content must be.
EXTENSIONS = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "docx": DOCX,
    "xlsx": XLSX,
    "pptx": PPTX,
    "odt": ODT,
    "ods": ODS,
    "odp": ODP,
}
ACCEPTED_EXTENSIONS = tuple(f".{extension}" for extension in EXTENSIONS)
ACCEPTED_TEXT = "PDF, image PNG ou JPEG, document Word, Excel ou PowerPoint (.docx, .xlsx, .pptx), OpenDocument (.odt, .ods, .odp)"

OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": PPTX,
}
OOXML_MACRO_PARTS = (
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml",
)
ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS, ODP.content_type: ODP}

# What else a file may be, named in the refusal.
OTHER_SIGNATURES = (
    (b"MZ", "un programme Windows (exécutable)"),
    (b"\x7fELF", "un programme (exécutable Linux)"),
    (b"\xcf\xfa\xed\xfe", "un programme (exécutable macOS)"),
    (b"\xca\xfe\xba\xbe", "un programme (exécutable macOS ou Java)"),
    (b"#!", "un script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un document Office ancien (.doc, .xls ou .ppt)"),
    (b"{\\rtf", "un document RTF"),
    (b"GIF87a", "une image GIF"),
    (b"GIF89a", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip"),
    (b"Rar!\x1a\x07", "une archive RAR"),
    (b"PK\x03\x04", "une archive ZIP"),
    (b"PK\x05\x06", "une archive ZIP"),
)

# Archive limits: far beyond any real document, far below what would hurt the server.
MAX_ENTRIES = 5000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / file size, above MIN_SIZE_FOR_RATIO
MIN_SIZE_FOR_RATIO = 20 * 1024 * 1024
MAX_CONTENT_TYPES_SIZE = 1024 * 1024
INFLATE_CHUNK = 256 * 1024

ZIP_SIGNATURES = (b"PK\x03\x04",)
XML_DECLARED_TYPE = re.compile(rb'ContentType\s*=\s*"([^"]+)"', re.IGNORECASE)


def _describe(content: bytes) -> str:
    for signature, label in OTHER_SIGNATURES:
        if content.startswith(signature):
            return label
    head = content[:4096]
    if head and not any(byte < 9 or 13 < byte < 32 for byte in head):
        return "un fichier texte"
    return "un fichier d'un type inconnu"


def _archive_refusal(name: str, reason: str) -> DocumentRefused:
    return DocumentRefused(f"Le fichier « {name} » est refusé : {reason}")


# signature, version (2 bytes), flags, method, time, date, CRC, sizes, name and extra lengths.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _damaged(name: str, info: zipfile.ZipInfo) -> DocumentRefused:
    return _archive_refusal(
        name, f"sa partie « {info.filename} » est illisible (fichier endommagé ou falsifié)."
    )


def _inflate_entry(content: bytes, info: zipfile.ZipInfo, name: str, keep: int = 0) -> bytes:
    """Inflate one entry from its own compressed bytes, in bounded chunks, and return its first
    `keep` bytes. An entry that inflates beyond the size it declares is refused as soon as it
    does (zipfile would silently stop there: a bomb could hide behind a small declared size);
    one that falls short of it or fails its CRC is damaged."""
    offset = info.header_offset
    if offset + _LOCAL_HEADER.size > len(content):
        raise _damaged(name, info)
    fields = _LOCAL_HEADER.unpack_from(content, offset)
    if fields[0] != b"PK\x03\x04":
        raise _damaged(name, info)
    start = offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    data = content[start : start + info.compress_size]
    if len(data) < info.compress_size:
        raise _damaged(name, info)
    kept, produced, crc = b"", 0, 0
    for chunk in _chunks(data, info, name):
        produced += len(chunk)
        if produced > info.file_size:
            raise _archive_refusal(
                name,
                f"sa partie « {info.filename} » se décompresse au-delà de la taille qu'elle annonce "
                "(bombe de décompression cachée) ; il n'est pas enregistré.",
            )
        crc = zlib.crc32(chunk, crc)
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    if produced != info.file_size or crc != info.CRC:
        raise _damaged(name, info)
    return kept


def _chunks(data: bytes, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    if info.compress_type == zipfile.ZIP_STORED:
        for index in range(0, len(data), INFLATE_CHUNK):
            yield data[index : index + INFLATE_CHUNK]
        return
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = data
    while not decompressor.eof:
        try:
            chunk = decompressor.decompress(pending, INFLATE_CHUNK)
        except zlib.error as exc:
            raise _damaged(name, info) from exc
        pending = decompressor.unconsumed_tail
        if not chunk and not pending:
            raise _damaged(name, info)
        yield chunk


def _check_archive(content: bytes, name: str) -> list[zipfile.ZipInfo]:
    """The archive's entries, once its directory says it is no bomb (nothing inflated yet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _archive_refusal(
            name, "le document est endommagé ou incomplet (archive illisible) ; enregistrez-le à nouveau."
        ) from exc
    if len(infos) > MAX_ENTRIES:
        raise _archive_refusal(name, f"il contient {len(infos)} parties, bien plus qu'un document.")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED or (
        declared > MIN_SIZE_FOR_RATIO and declared > MAX_RATIO * max(len(content), 1)
    ):
        raise _archive_refusal(
            name,
            "une fois décompressé, il occuperait bien plus qu'un document (bombe de décompression) ; "
            "il n'est pas enregistré.",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise _archive_refusal(
                name, "le document est protégé par un mot de passe : enregistrez-le sans mot de passe."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _archive_refusal(name, f"sa partie « {info.filename} » utilise une compression inconnue.")
    return infos


def _office_kind(content: bytes, name: str) -> FileKind | None:
    """The kind of an Office or OpenDocument archive; None for another ZIP archive."""
    infos = _check_archive(content, name)
    names = {info.filename.lower(): info for info in infos}
    kind = None
    first = infos[0] if infos else None
    if first is not None and first.filename == "mimetype":
        mimetype = _inflate_entry(content, first, name, keep=200).decode("ascii", "replace").strip()
        kind = ODF_MIMETYPES.get(mimetype)
        if kind and any(key.startswith(("basic/", "scripts/")) for key in names):
            raise _archive_refusal(
                name, "le document contient des macros : enregistrez-le sans macros, puis déposez-le."
            )
    elif "[content_types].xml" in names:
        info = names["[content_types].xml"]
        if info.file_size > MAX_CONTENT_TYPES_SIZE:
            raise _archive_refusal(name, "sa liste de parties est démesurée.")
        declared = {
            value.decode("ascii", "replace").lower()
            for value in XML_DECLARED_TYPE.findall(
                _inflate_entry(content, info, name, keep=MAX_CONTENT_TYPES_SIZE)
            )
        }
        if any(part in declared for part in OOXML_MACRO_PARTS) or any(
            key.endswith("vbaproject.bin") for key in names
        ):
            raise _archive_refusal(
                name,
                "le document contient des macros : enregistrez-le au format .docx, .xlsx ou .pptx "
                "(sans macros), puis déposez-le.",
            )
        kind = next((OOXML_MAIN_PARTS[part] for part in OOXML_MAIN_PARTS if part in declared), None)
    if kind is None:
        return None
    # Every entry inflated, in bounded chunks: an entry that inflates beyond its declared size
    # or fails its CRC makes the document refused.
    for info in infos:
        _inflate_entry(content, info, name)
    return kind


def identify(content: bytes) -> FileKind | None:
    """The accepted kind the content is, or None. Raises DocumentRefused for a dangerous archive."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def check_content(content: bytes, name: str) -> FileKind:
    """The file's kind, when its content is an accepted kind and its extension says so.
    Raises DocumentRefused with a French message otherwise."""
    extension = extension_of(name)
    expected = EXTENSIONS.get(extension)
    if expected is None:
        shown = f"« .{extension} »" if extension else "sans extension"
        raise DocumentRefused(
            f"Le fichier « {name} » est refusé : format {shown} non accepté. Formats acceptés : {ACCEPTED_TEXT}."
        )
    if not content:
        raise DocumentRefused(f"Le fichier « {name} » est vide.")
    kind = identify(content)
    if kind is None and content.startswith(ZIP_SIGNATURES):
        kind = _office_kind(content, name)
    if kind is None:
        raise DocumentRefused(
            f"Le fichier « {name} » est refusé : son nom annonce {expected.label}, mais son contenu est "
            f"{_describe(content)}."
        )
    if kind != expected:
        raise DocumentRefused(
            f"Le fichier « {name} » est refusé : son nom annonce {expected.label}, mais son contenu est "
            f"{kind.label}. Renommez-le avec la bonne extension."
        )
    return kind

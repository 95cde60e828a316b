"""Files the tests upload: a small valid file of each accepted kind, and bad ones (an executable
named .pdf, zip bombs, office documents with macros...). Built in memory, deterministic."""

import io
import struct
import zipfile
import zlib

from tests.clamav import EICAR

FIXED_DATE = (2024, 3, 1, 10, 0, 0)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
# What a Windows program starts with: "MZ", then its DOS stub.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode." * 4
)
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57

__all__ = ["EICAR"]

_OOXML_TYPES = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


def zip_bytes(parts: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for position, (name, data) in enumerate(parts):
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = (
                zipfile.ZIP_STORED if stored_first and position == 0 else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, data)
    return buffer.getvalue()


def ooxml(
    kind: str = "docx", *, body: bytes = b"<w:document/>", extra: list[tuple[str, bytes]] = ()
) -> bytes:
    main, content_type = _OOXML_TYPES[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{content_type}"/>'
        "</Types>"
    ).encode()
    return zip_bytes(
        [("[Content_Types].xml", types), ("_rels/.rels", b"<Relationships/>"), (main, body), *extra]
    )


def docx(body: bytes = b"<w:document/>") -> bytes:
    return ooxml("docx", body=body)


def odf(
    mimetype: str = "application/vnd.oasis.opendocument.text", extra: list[tuple[str, bytes]] = ()
) -> bytes:
    return zip_bytes(
        [("mimetype", mimetype.encode()), ("content.xml", b"<office:document-content/>"), *extra],
        stored_first=True,
    )


def zip_bomb_docx(megabytes: int = 25) -> bytes:
    """A Word document whose body inflates to `megabytes` Mo of blanks from a few dozen kilobytes."""
    buffer = io.BytesIO()
    _, content_type = _OOXML_TYPES["docx"]
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{content_type}"/></Types>'.encode()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        info = zipfile.ZipInfo("word/document.xml", FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            blanks = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(blanks)
    return buffer.getvalue()


def lying_sizes(content: bytes, part: str, declared: int) -> bytes:
    """The archive with `part` declaring `declared` bytes once inflated (local header and central
    directory), the checksum of those first bytes to match: a bomb that hides its size."""
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


def hidden_bomb_docx() -> bytes:
    """A Word document whose body declares 2 000 bytes but inflates to 5 Mo."""
    body = b"<w:document>" + b" " * (5 * 1024 * 1024) + b"</w:document>"
    return lying_sizes(docx(body), "word/document.xml", 2000)


def encrypted_flag(content: bytes) -> bytes:
    """The archive with its entries flagged as encrypted (as a password-protected ZIP is)."""
    raw = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = raw.find(signature)
        while position != -1:
            flags = struct.unpack_from("<H", raw, position + offset)[0]
            struct.pack_into("<H", raw, position + offset, flags | 0x1)
            position = raw.find(signature, position + 4)
    return bytes(raw)

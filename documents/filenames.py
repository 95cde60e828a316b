"""The name a porteur gave a file, made safe to show and to offer back on download.

The name is never used to build a storage path (documents.models.document_path generates one);
it is still cleaned, since it is displayed, logged and sent back in Content-Disposition: only
its last path component is kept, control and formatting characters (bidirectional overrides
that disguise `exe.pdf` as `fdp.exe`, zero-width spaces...) are removed, and its length is
bounded with the extension kept."""

import unicodedata

from .errors import DocumentRefused

MAX_NAME_LENGTH = 150
UNREADABLE_NAME = (
    "Le nom du fichier est illisible (il ne contient que des caractères invisibles ou des séparateurs "
    "de dossiers) : renommez le fichier, puis déposez-le à nouveau."
)


def _visible(character: str) -> bool:
    # Cc: control characters (NUL, line feeds, ...); Cf: formatting (RLO, zero-width...);
    # Cs, Co, Cn: surrogates, private use, unassigned.
    return not unicodedata.category(character).startswith("C")


def sanitize_filename(name: str) -> str:
    """The cleaned name; DocumentRefused when nothing readable remains."""
    name = unicodedata.normalize("NFC", name or "")
    # Whatever the client's operating system: "C:\\Users\\x\\statuts.pdf", "../../statuts.pdf".
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character if _visible(character) else "" for character in name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        raise DocumentRefused(UNREADABLE_NAME)
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name


def extension_of(name: str) -> str:
    """The lower-case extension without its dot, "" when the name has none."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""

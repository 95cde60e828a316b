"""Keeps an uploaded programmation file between its preview and its confirmation.

The preview checks the file without writing; the confirmation must then import exactly the
same bytes, without asking the browser to send them again. The bytes are kept on the server,
under `MEDIA_ROOT/imports/<token>`, with a small JSON note (who uploaded it, when, its name and
SHA-256); the confirmation form carries only the random token. A pending file is for its
uploader only and expires after `IMPORT_PENDING_MAX_AGE` seconds (one hour by default).
Files live on disk rather than in the session so that a 10 Mo upload does not weigh on every
later request of the session.
"""

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DEFAULT_MAX_AGE = 60 * 60
# What `secrets.token_urlsafe(32)` produces; anything else is refused before it reaches a path.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class PendingImport:
    token: str
    content: bytes
    filename: str
    sha256: str
    user_id: int
    created_at: float

    @property
    def size(self) -> int:
        return len(self.content)


def _directory() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _max_age() -> int:
    return int(getattr(settings, "IMPORT_PENDING_MAX_AGE", DEFAULT_MAX_AGE))


def _paths(token: str) -> tuple[Path, Path]:
    directory = _directory()
    return directory / f"{token}.bin", directory / f"{token}.json"


def pending_import_store(*, content: bytes, filename: str, user) -> PendingImport:
    """Keep `content` for a later confirmation by `user`; returns it with its new token."""
    purge_expired()
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    pending = PendingImport(
        token=token,
        content=content,
        filename=Path(filename).name,
        sha256=hashlib.sha256(content).hexdigest(),
        user_id=user.pk,
        created_at=time.time(),
    )
    data_path, meta_path = _paths(token)
    data_path.write_bytes(content)
    meta_path.write_text(
        json.dumps(
            {
                "filename": pending.filename,
                "sha256": pending.sha256,
                "user_id": pending.user_id,
                "created_at": pending.created_at,
            }
        ),
        encoding="utf-8",
    )
    return pending


def pending_import_get(*, token: str, user) -> PendingImport | None:
    """The file kept under `token` for `user`; None if unknown, expired, someone else's or
    altered on disk."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        return None
    data_path, meta_path = _paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        content = data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user.pk:
        return None
    if time.time() - float(meta.get("created_at", 0)) > _max_age():
        pending_import_discard(token=token)
        return None
    if hashlib.sha256(content).hexdigest() != meta.get("sha256"):
        return None
    return PendingImport(
        token=token,
        content=content,
        filename=meta.get("filename", ""),
        sha256=meta["sha256"],
        user_id=meta["user_id"],
        created_at=float(meta["created_at"]),
    )


def pending_import_take(*, token: str, user) -> PendingImport | None:
    """Like `pending_import_get`, but removes the file: of two confirmations sent at once
    (a double click), only one gets it."""
    pending = pending_import_get(token=token, user=user)
    if pending is None:
        return None
    data_path, meta_path = _paths(token)
    try:
        # A rename succeeds once: the loser of a race finds nothing left to rename.
        claimed = meta_path.with_name(f"{token}.{secrets.token_hex(8)}.claimed")
        meta_path.rename(claimed)
    except OSError:
        return None
    claimed.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    return pending


def pending_import_discard(*, token: str) -> None:
    if not token or not TOKEN_PATTERN.fullmatch(token):
        return
    for path in _paths(token):
        path.unlink(missing_ok=True)


def purge_expired() -> None:
    """Remove the files of previews never confirmed."""
    directory = _directory()
    if not directory.is_dir():
        return
    limit = time.time() - _max_age()
    for path in directory.iterdir():
        try:
            if path.suffix in {".bin", ".json", ".claimed"} and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue

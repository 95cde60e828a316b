"""A minimal client of ClamAV's daemon (clamd) over its Unix socket.

It speaks clamd's own protocol (clamd(8)): `zINSTREAM\\0`, then the file in chunks, each
preceded by its length as a 4-byte big-endian integer, then a zero-length chunk; clamd answers
`stream: OK\\0` or `stream: <signature> FOUND\\0` (or `... ERROR\\0`). `zVERSION\\0` names the
engine and its signatures' version. Nothing else of clamd is used, so no third-party library.

Settings: `CLAMD_SOCKET` (the socket's path), `CLAMD_TIMEOUT` (seconds), `ANTIVIRUS` ("off"
turns scanning off: development only; callers then store files unscanned and say so)."""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

CHUNK_SIZE = 1024 * 1024
DEFAULT_SOCKET = "/var/run/clamav/clamd.ctl"


class ScannerUnavailable(Exception):
    """clamd could not be reached, or did not give a verdict: the file's state is unknown."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str  # the name of what was found, "" when clean
    engine: str  # e.g. "ClamAV 1.4.6/27000/Mon Jan 1 10:00:00 2026"


def antivirus_enabled() -> bool:
    return str(getattr(settings, "ANTIVIRUS", "on")).strip().lower() != "off"


def _socket_path() -> str:
    return str(getattr(settings, "CLAMD_SOCKET", None) or DEFAULT_SOCKET)


def _connect() -> socket.socket:
    path = _socket_path()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(float(getattr(settings, "CLAMD_TIMEOUT", 30)))
    try:
        client.connect(path)
    except OSError as exc:
        client.close()
        raise ScannerUnavailable(f"clamd injoignable sur {path} : {exc}") from exc
    return client


def _read_reply(client: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        data = client.recv(4096)
        if not data:
            break
        reply += data
        if len(reply) > 65536:
            break
    if not reply.endswith(b"\0"):
        raise ScannerUnavailable("clamd a fermé la connexion sans réponse complète")
    return reply[:-1].decode("utf-8", "replace")


def version() -> str:
    """clamd's engine and signature versions."""
    client = _connect()
    try:
        client.sendall(b"zVERSION\0")
        return _read_reply(client).strip()
    except OSError as exc:
        raise ScannerUnavailable(f"clamd n'a pas répondu : {exc}") from exc
    finally:
        client.close()


def parse_reply(reply: str) -> tuple[bool, str]:
    """(infected, signature) from clamd's answer to INSTREAM; ScannerUnavailable for an error."""
    verdict = reply.removeprefix("stream:").strip()
    if verdict == "OK":
        return False, ""
    if verdict.endswith(" FOUND"):
        return True, verdict.removesuffix(" FOUND").strip()
    # "INSTREAM size limit exceeded. ERROR", "... ERROR": no verdict.
    raise ScannerUnavailable(f"clamd n'a pas pu analyser le fichier : {reply}")


def scan_chunks(chunks: Iterable[bytes]) -> ScanResult:
    """Scan the bytes given in chunks (of any size). Raises ScannerUnavailable."""
    engine = version()
    client = _connect()
    try:
        client.sendall(b"zINSTREAM\0")
        for chunk in chunks:
            for start in range(0, len(chunk), CHUNK_SIZE):
                part = chunk[start : start + CHUNK_SIZE]
                client.sendall(struct.pack("!L", len(part)) + part)
        client.sendall(struct.pack("!L", 0))
        infected, signature = parse_reply(_read_reply(client))
    except OSError as exc:
        # clamd closes the stream when it exceeds its StreamMaxLength: a broken pipe here.
        raise ScannerUnavailable(f"clamd n'a pas pu analyser le fichier : {exc}") from exc
    finally:
        client.close()
    return ScanResult(infected=infected, signature=signature, engine=engine[:120])


def scan_bytes(content: bytes) -> ScanResult:
    return scan_chunks([content])


def scan_file(file, chunk_size: int = CHUNK_SIZE) -> ScanResult:
    """Scan an open binary file from its current position."""
    return scan_chunks(iter(lambda: file.read(chunk_size), b""))

"""ClamAV's daemon for the tests: a clamd of their own, with a signature database the project
ships (tests/documents/clamav/test.hdb: the EICAR test file), so that no network and no
freshclam are needed and the machine's own clamd (if any) is left alone.

The `clamd_socket` fixture (session) starts /usr/sbin/clamd (Debian package `clamav-daemon`;
its service need not run) with a minimal configuration in a folder under /tmp (Debian's AppArmor
profile for clamd allows /tmp), waits for its socket, and stops it at the end. Without clamd the
tests that need it FAIL, never skip: `sudo apt-get install clamav-daemon` (`.ci/run` does).
`TEST_CLAMD_SOCKET` names an already running clamd to use instead (it must know EICAR)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SIGNATURES = Path(__file__).resolve().parent / "documents" / "clamav" / "test.hdb"
CLAMD_CANDIDATES = ("/usr/sbin/clamd", "/usr/local/sbin/clamd")
# The EICAR anti-virus test file, built here so that this source file is not itself "infected".
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class ClamdMissing(RuntimeError):
    pass


@dataclass
class Clamd:
    socket: str
    process: subprocess.Popen | None
    directory: Path | None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def clamd_binary() -> str:
    found = shutil.which("clamd") or next((path for path in CLAMD_CANDIDATES if os.path.exists(path)), None)
    if not found:
        raise ClamdMissing(
            "clamd (ClamAV) n'est pas installé : les tests de l'antivirus en ont besoin. "
            "Installez le paquet Debian : sudo apt-get install clamav-daemon "
            "(inutile de démarrer son service : les tests lancent leur propre clamd)."
        )
    return found


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(2)
        try:
            client.connect(str(path))
            client.sendall(b"zPING\0")
            return client.recv(16).startswith(b"PONG")
        except OSError:
            return False


def start_clamd(timeout: float = 60) -> Clamd:
    """A clamd that knows the EICAR signature, listening on a socket of its own."""
    binary = clamd_binary()
    directory = Path(tempfile.mkdtemp(prefix="contratville-clamd-", dir="/tmp"))
    database = directory / "db"
    database.mkdir()
    shutil.copy(SIGNATURES, database / "test.hdb")
    socket_path = directory / "clamd.sock"
    log = directory / "clamd.log"
    config = directory / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {socket_path}",
                f"DatabaseDirectory {database}",
                f"LogFile {log}",
                f"PidFile {directory / 'clamd.pid'}",
                f"TemporaryDirectory {directory}",
                "Foreground yes",
                "SelfCheck 0",
                # Beyond the largest upload (DOCUMENT_MAX_UPLOAD_SIZE, 10 Mo).
                "StreamMaxLength 32M",
                "MaxThreads 4",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    clamd = Clamd(str(socket_path), process, directory)
    deadline = time.monotonic() + timeout
    while not _answers(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            details = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            clamd.stop()
            raise RuntimeError(f"clamd n'a pas démarré (code {process.returncode}) :\n{details}")
        time.sleep(0.05)
    return clamd


@pytest.fixture(scope="session")
def clamd_socket():
    """The path of a running clamd's socket that flags EICAR (see the module's docstring)."""
    external = os.environ.get("TEST_CLAMD_SOCKET")
    if external:
        yield external
        return
    try:
        clamd = start_clamd()
    except ClamdMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    try:
        yield clamd.socket
    finally:
        clamd.stop()

"""The clamd client (documents/antivirus.py) against the tests' own ClamAV daemon."""

import socket
import struct
import threading

import pytest

from documents import antivirus
from tests.clamav import EICAR
from tests.documents.samples import PDF


def test_a_clean_file_is_ok(scanner):
    result = antivirus.scan_bytes(PDF)

    assert result.infected is False
    assert result.signature == ""
    assert result.engine.startswith("ClamAV ")


def test_the_eicar_test_file_is_found_with_its_signature(scanner):
    result = antivirus.scan_bytes(EICAR)

    assert result.infected is True
    assert result.signature == "Contratville-Test-EICAR.UNOFFICIAL"


def test_eicar_sent_in_many_small_chunks_is_still_found(scanner):
    result = antivirus.scan_chunks(EICAR[index : index + 5] for index in range(0, len(EICAR), 5))

    assert result.infected is True


def test_a_file_of_several_chunks_gets_a_verdict(scanner):
    result = antivirus.scan_bytes(b"\0" * (3 * antivirus.CHUNK_SIZE) + b"fin")

    assert result.infected is False


def test_a_missing_socket_is_scanner_unavailable(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "absent.sock")

    with pytest.raises(antivirus.ScannerUnavailable, match="absent.sock"):
        antivirus.scan_bytes(PDF)


def test_a_socket_nobody_listens_on_is_scanner_unavailable(settings, tmp_path):
    path = tmp_path / "mort.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))  # bound, never listening: connections are refused
    settings.CLAMD_SOCKET = str(path)
    try:
        with pytest.raises(antivirus.ScannerUnavailable):
            antivirus.scan_bytes(PDF)
    finally:
        dead.close()


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("stream: OK", (False, "")),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", (True, "Win.Test.EICAR_HDB-1")),
        ("stream: Eicar-Signature FOUND", (True, "Eicar-Signature")),
    ],
)
def test_replies_are_read(reply, expected):
    assert antivirus.parse_reply(reply) == expected


def test_an_error_reply_is_no_verdict():
    with pytest.raises(antivirus.ScannerUnavailable, match="size limit"):
        antivirus.parse_reply("INSTREAM size limit exceeded. ERROR")


def test_the_protocol_on_the_wire(settings, tmp_path):
    """zINSTREAM, 4-byte big-endian lengths, a zero-length chunk to end: what a fake clamd reads."""
    path = str(tmp_path / "faux.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(2)
    received = []

    def serve():
        for _ in range(2):
            connection, _ = server.accept()
            with connection:
                data = b""
                while True:
                    chunk = connection.recv(65536)
                    data += chunk
                    if data == b"zVERSION\0":
                        connection.sendall(b"ClamAV 9.9.9/1/faux\0")
                        break
                    if data.endswith(struct.pack("!L", 0)) or not chunk:
                        received.append(data)
                        connection.sendall(b"stream: Faux-Virus FOUND\0")
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.CLAMD_SOCKET = path

    result = antivirus.scan_bytes(b"abc")

    thread.join(5)
    server.close()
    assert received == [b"zINSTREAM\0" + b"\x00\x00\x00\x03abc" + b"\x00\x00\x00\x00"]
    assert result == antivirus.ScanResult(infected=True, signature="Faux-Virus", engine="ClamAV 9.9.9/1/faux")


def test_the_setting_turns_scanning_off(settings):
    settings.ANTIVIRUS = "off"
    assert antivirus.antivirus_enabled() is False
    settings.ANTIVIRUS = "on"
    assert antivirus.antivirus_enabled() is True


def test_without_clamd_the_tests_fail_with_how_to_install_it(monkeypatch):
    from tests import clamav

    monkeypatch.setattr(clamav.shutil, "which", lambda name: None)
    monkeypatch.setattr(clamav.os.path, "exists", lambda path: False)

    with pytest.raises(clamav.ClamdMissing, match=r"sudo apt-get install clamav-daemon"):
        clamav.clamd_binary()

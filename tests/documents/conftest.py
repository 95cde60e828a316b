import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored pieces go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def scanner(settings, clamd_socket):
    """The antivirus on, talking to the tests' own clamd (tests/clamav.py)."""
    settings.ANTIVIRUS = "on"
    settings.CLAMD_SOCKET = clamd_socket
    return clamd_socket

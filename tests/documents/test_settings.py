"""The antivirus' settings: production never runs without it; development may, saying so."""

from tests.test_production_settings import manage, production_settings


def test_production_refuses_antivirus_off():
    result = manage("check", ANTIVIRUS="off")

    assert result.returncode != 0
    assert "ANTIVIRUS=off est réservé au développement" in result.stderr


def test_production_reads_the_antivirus_and_storage_settings():
    values = production_settings(
        "ANTIVIRUS",
        "CLAMD_SOCKET",
        "CLAMD_TIMEOUT",
        "MEDIA_ROOT",
        "DOCUMENT_MAX_UPLOAD_SIZE",
        CLAMD_SOCKET="/run/clamav/clamd.sock",
        CLAMD_TIMEOUT="12",
        MEDIA_ROOT="/srv/pieces",
        DOCUMENT_MAX_UPLOAD_SIZE="5242880",
    )

    assert values == {
        "ANTIVIRUS": "on",
        "CLAMD_SOCKET": "/run/clamav/clamd.sock",
        "CLAMD_TIMEOUT": 12.0,
        "MEDIA_ROOT": "/srv/pieces",
        "DOCUMENT_MAX_UPLOAD_SIZE": 5242880,
    }


def test_no_address_serves_media_root():
    from django.conf import settings
    from django.urls import get_resolver

    patterns = [str(pattern.pattern) for pattern in get_resolver().url_patterns]
    assert not any(pattern.startswith(settings.MEDIA_URL.strip("/")) for pattern in patterns)

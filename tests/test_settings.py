"""Production settings: from the environment only, and they pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    # Browser tests allow Django's ORM under Playwright's event loop; production never does.
    unset = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    # Production names its database; these commands never connect to it.
    environment.setdefault("DATABASE_URL", "postgres://contratville@127.0.0.1:5432/contratville")
    environment.update(DJANGO_SETTINGS_MODULE="contratville.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-0123456789",
        ALLOWED_HOSTS="contratville.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="contratville.example.org")
    assert result.returncode != 0
    assert "La variable d'environnement SECRET_KEY est obligatoire." in result.stderr


@pytest.mark.slow
def test_demo_data_is_refused_when_debug_is_off():
    result = _manage("load_demo", SECRET_KEY="s" * 60, ALLOWED_HOSTS="localhost")
    assert result.returncode == 1
    assert "refusées quand DEBUG est désactivé" in result.stderr

"""Production as deployed: the settings read from the environment, static files collected and
served by WhiteNoise, gunicorn's configuration. Each runs in a separate process with
DJANGO_SETTINGS_MODULE=contratville.settings.production, as gunicorn would."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "production-test-secret-" + "k7Qz9!pX2&vR" * 4
# Browser tests allow Django's ORM under Playwright's event loop; production never does.
UNSET = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "STATIC_ROOT"}


def production_env(**overrides) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in UNSET}
    environment.update(
        DJANGO_SETTINGS_MODULE="contratville.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="contratville.example.org",
        # Never connected to by these tests.
        DATABASE_URL="postgres://contratville:secret@127.0.0.1:5432/contratville",
    )
    environment.update(overrides)
    return {k: v for k, v in environment.items() if v is not None}


def run(*command, timeout=180, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, env=production_env(**overrides), capture_output=True, text=True, timeout=timeout
    )


def manage(*args, **overrides):
    return run(sys.executable, "manage.py", *args, **overrides)


def production_settings(*names, **overrides) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = manage("shell", "-c", code, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_only_with_secure_cookies():
    values = production_settings(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


def test_the_environment_sets_the_database_the_session_timeout_and_the_proxies():
    values = production_settings(
        "DATABASES",
        "SESSION_COOKIE_AGE",
        "SESSION_REFRESH_INTERVAL",
        "AXES_IPWARE_PROXY_COUNT",
        "STATIC_ROOT",
        "CSRF_TRUSTED_ORIGINS",
        DATABASE_URL="postgres://cv:motdepasse@db.interne:5433/contratville_prod",
        SESSION_IDLE_TIMEOUT="3600",
        AXES_IPWARE_PROXY_COUNT="1",
        STATIC_ROOT="/srv/contratville/static",
        CSRF_TRUSTED_ORIGINS="https://contratville.example.org",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.interne", 5433, "contratville_prod")
    assert values["SESSION_COOKIE_AGE"] == 3600
    assert values["SESSION_REFRESH_INTERVAL"] == 60
    assert values["AXES_IPWARE_PROXY_COUNT"] == 1
    assert values["STATIC_ROOT"] == "/srv/contratville/static"
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://contratville.example.org"]


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.startswith("#"):
            values[name] = value.strip('"')
    return values


def test_the_env_example_is_a_working_production_configuration():
    example = _env_example()
    assert example["DJANGO_SETTINGS_MODULE"] == "contratville.settings.production"
    assert example["SECRET_KEY"] == ""  # to be generated on the server, never committed
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**example, "SECRET_KEY": SECRET})
    assert result.returncode == 0, result.stdout + result.stderr


ENV_READ = re.compile(r'(?:env|env_bool|env_list|require_env|os\.environ\.get)\(\s*"([A-Z_]+)"')


def test_the_env_example_documents_every_variable_production_reads():
    sources = [ROOT / "contratville/settings/base.py", ROOT / "contratville/settings/production.py"]
    sources.append(ROOT / "gunicorn.conf.py")
    read = set()
    for source in sources:
        read |= set(ENV_READ.findall(source.read_text()))
    read.discard("DEBUG")  # always off in production
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - documented == set()


def test_empty_optional_variables_take_their_defaults():
    values = production_settings(
        "SESSION_COOKIE_AGE", "AXES_IPWARE_PROXY_COUNT", SESSION_IDLE_TIMEOUT="", AXES_IPWARE_PROXY_COUNT=""
    )
    assert values == {"SESSION_COOKIE_AGE": 8 * 3600, "AXES_IPWARE_PROXY_COUNT": None}


def test_production_refuses_to_start_without_a_database_url():
    result = manage("check", DATABASE_URL=None)
    assert result.returncode != 0
    assert "La variable d'environnement DATABASE_URL est obligatoire." in result.stderr


def test_static_files_are_stored_hashed_and_compressed_for_whitenoise():
    values = production_settings("STORAGES", "MIDDLEWARE")
    assert (
        values["STORAGES"]["staticfiles"]["BACKEND"]
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    middleware = values["MIDDLEWARE"]
    # Right after SecurityMiddleware, as WhiteNoise asks (the request size limit comes first).
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") == security + 1


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """`collectstatic` once, as a deployment does, into a temporary STATIC_ROOT."""
    static_root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--noinput", STATIC_ROOT=str(static_root), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root, result


def test_collectstatic_writes_hashed_compressed_files_and_a_manifest(collected_static):
    static_root, result = collected_static
    assert "static files copied" in result.stdout
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in (
        "css/app.css",
        "js/dashboard.js",
        "vendor/plotly.min.js",
        "vendor/plotly.css",
        "admin/css/base.css",
    ):
        hashed = static_root / manifest[name]
        assert re.search(r"\.[0-9a-f]{12}\.", hashed.name), hashed.name
        assert hashed.exists() and Path(f"{hashed}.gz").exists()
    # Only the hashed copies are kept.
    assert not (static_root / "css" / "app.css").exists()


# Run in the production process: a page names its static files by their hashed names, and
# WhiteNoise serves them with a year's cache, compressed when the browser accepts it.
SERVE_A_PAGE = """
import re
from django.test import Client
client = Client(HTTP_HOST="contratville.example.org")
page = client.get("/connexion/", secure=True)
assert page.status_code == 200, page.status_code
css = re.search(r'href="(/static/css/app\\.[0-9a-f]{12}\\.css)"', page.content.decode()).group(1)
static = client.get(css, secure=True, HTTP_ACCEPT_ENCODING="gzip")
body = b"".join(static.streaming_content)
print(static.status_code, static["Cache-Control"], static.get("Content-Encoding"), len(body), sep="|")
print(page["Strict-Transport-Security"], "|", page["Content-Security-Policy"])
"""


def test_pages_use_the_collected_files_served_by_whitenoise(collected_static):
    static_root, _ = collected_static
    result = manage("shell", "-c", SERVE_A_PAGE, STATIC_ROOT=str(static_root))
    assert result.returncode == 0, result.stderr
    served, headers = result.stdout.strip().splitlines()[-2:]
    status, cache_control, encoding, _size = served.split("|")
    assert status == "200"
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert encoding == "gzip"
    assert headers.startswith("max-age=31536000; includeSubDomains; preload |")
    assert "default-src 'self'" in headers


def test_gunicorn_accepts_its_configuration_and_loads_the_application():
    result = run(
        str(ROOT / ".venv" / "bin" / "gunicorn"), "--check-config", "contratville.wsgi", WEB_CONCURRENCY="3"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_reads_workers_and_address_from_the_environment():
    result = run(
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--print-config",
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="unix:/run/contratville/gunicorn.sock",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert config["workers"] == "3"
    assert config["bind"] == "['unix:/run/contratville/gunicorn.sock']"
    assert config["wsgi_app"] == "contratville.wsgi:application"
    assert config["accesslog"] == "-"


def test_gunicorn_refuses_to_start_the_application_without_its_secret_key():
    result = run(
        str(ROOT / ".venv" / "bin" / "gunicorn"), "--check-config", "contratville.wsgi", SECRET_KEY=None
    )
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stdout + result.stderr

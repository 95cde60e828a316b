"""Request bodies above their address's limit are refused before anything reads them, and what a
signed-in user sees is never kept by a cache (contratville/middleware.py)."""

import socket
from email.utils import parsedate_to_datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.cache import get_max_age

from contratville import roles
from contratville.middleware import RequestSizeLimitMiddleware
from tests.factories import FundingLineFactory, ProjectFactory, UserFactory

MB = 1024 * 1024
IMPORT = "/projets/import/"
BOUNDARY = "limite"


def multipart(size: int, name: str = "programmation.csv") -> bytes:
    """A multipart body whose file part holds `size` bytes."""
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="action"\r\n\r\npreview\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + b"a" * size
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def post_body(client, path, body: bytes, **extra):
    return client.generic(
        "POST", path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra
    )


@pytest.fixture
def spooled(settings, tmp_path, monkeypatch):
    """The folder where Django writes uploads above FILE_UPLOAD_MAX_MEMORY_SIZE; the temporary
    files are kept (not deleted at the end of the request), so that a write shows."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    from django.core.files import temp

    original = temp.NamedTemporaryFile

    def kept(*args, **kwargs):
        return original(*args, **{**kwargs, "delete": False})

    monkeypatch.setattr(temp, "NamedTemporaryFile", kept)
    return folder


def csrf_client() -> Client:
    """A browser with a CSRF cookie: the CSRF check then reads request.POST for the form's token
    (without the cookie, it refuses before reading anything)."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    return client


def _user(group):
    user = UserFactory(username=f"limites-{group}")
    user.groups.add(Group.objects.get(name=group))
    return user


# --- Size limits -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_300_mb_upload_is_refused_before_its_body_is_read(spooled):
    # The client sends no body at all: reading it would fail the request (FakePayload).
    client = csrf_client()
    response = post_body(client, IMPORT, b"", CONTENT_LENGTH=str(300 * MB))
    assert response.status_code == 413
    page = response.content.decode()
    assert "Envoi trop volumineux" in page and "un fichier importé ne peut dépasser 10 Mo" in page
    assert list(spooled.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, roles.AGENT, roles.DIRECTION])
def test_an_upload_above_the_limit_is_refused_for_everyone_and_nothing_is_written(settings, spooled, role):
    # 3 Mo, above FILE_UPLOAD_MAX_MEMORY_SIZE (written to disk if parsed), above a 1 Mo limit.
    settings.IMPORT_MAX_UPLOAD_SIZE = 1 * MB
    client = csrf_client()
    if role:
        client.force_login(_user(role))
    response = post_body(client, IMPORT, multipart(3 * MB))
    assert response.status_code == 413
    assert list(spooled.iterdir()) == []


@pytest.mark.django_db
def test_without_the_limit_the_same_upload_would_be_written_to_disk(settings, spooled):
    """The control: the test above can see a write. Without the middleware, the CSRF check reads
    request.POST, and Django writes the 3 Mo file to disk before the sign-in check."""
    settings.IMPORT_MAX_UPLOAD_SIZE = 1 * MB
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RequestSizeLimitMiddleware")]
    response = post_body(csrf_client(), IMPORT, multipart(3 * MB))
    assert response.status_code == 403  # CSRF: the body was read to look for the token
    assert [path.stat().st_size for path in spooled.iterdir()] == [3 * MB]


@pytest.mark.django_db
def test_the_size_limit_middleware_is_the_first():
    assert django_settings.MIDDLEWARE[0] == "contratville.middleware.RequestSizeLimitMiddleware"


@pytest.mark.django_db
def test_a_file_at_the_import_limit_reaches_the_form_which_says_why_above(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(_user(roles.AGENT))
    limit = django_settings.IMPORT_MAX_UPLOAD_SIZE
    assert limit == 10 * MB
    response = client.post(IMPORT, {"file": SimpleUploadedFile("programmation.csv", b"a" * (limit + 1))})
    # Past the middleware (the envelope's margin), refused by the form, in French.
    assert response.status_code == 200
    assert "Le fichier dépasse la taille maximale de 10 Mo" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        # The programmation import: 10 Mo and the envelope.
        (IMPORT, 10 * MB + 64 * 1024, None),
        (IMPORT, 10 * MB + 64 * 1024 + 1, 413),
        # The admin's spreadsheet imports: the same limit.
        ("/admin/projects/operator/import/", 10 * MB, None),
        ("/admin/projects/operator/import/", 11 * MB, 413),
        # Everything else: 2,5 Mo.
        ("/connexion/", 5 * MB // 2, None),
        ("/connexion/", 5 * MB // 2 + 1, 413),
        ("/projets/nouveau/", 3 * MB, 413),
        ("/admin/projects/operator/add/", 3 * MB, 413),
        ("/projets/import-autre/", 3 * MB, 413),
    ],
)
def test_the_limit_of_each_address(path, size, status):
    middleware = RequestSizeLimitMiddleware(lambda request: None)
    response = middleware.check({"CONTENT_LENGTH": str(size)}, path)
    assert (response and response.status_code) == status


def test_document_uploads_get_their_own_limit(settings):
    settings.DOCUMENT_MAX_UPLOAD_SIZE = 5 * MB
    middleware = RequestSizeLimitMiddleware(lambda request: None)
    assert middleware.check({"CONTENT_LENGTH": str(5 * MB)}, "/projets/12/documents/") is None
    refused = middleware.check({"CONTENT_LENGTH": str(6 * MB)}, "/projets/12/documents/")
    assert refused.status_code == 413
    assert "un document ne peut dépasser 5 Mo" in refused.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("length", "status"), [("abc", 400), ("-1", 400), ("1e9", 400), ("9" * 30, 400), (" 12 ", 200)]
)
def test_a_length_that_is_not_a_number_is_a_bad_request(length, status):
    response = Client().generic("GET", "/connexion/", b"", CONTENT_LENGTH=length)
    assert response.status_code == status


@pytest.mark.django_db
def test_a_chunked_body_without_length_is_refused(spooled):
    client = csrf_client()
    response = post_body(client, IMPORT, b"", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert "Content-Length" in response.content.decode()


def _raw_request(live_server, head: bytes, body: bytes = b"") -> bytes:
    host, port = live_server.thread.host, live_server.thread.port
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_a_real_server_answers_413_without_waiting_for_the_300_mb(live_server, spooled):
    """Through a real socket and Django's WSGI server: the headers announce 300 Mo, only 64 ko
    follow, and the answer comes at once (had the application read the body, it would wait for
    the rest and the socket would time out)."""
    head = (
        f"POST {IMPORT} HTTP/1.1\r\nHost: localhost\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {300 * MB}\r\n\r\n"
    ).encode()
    answer = _raw_request(live_server, head, multipart(64 * 1024)[: 64 * 1024])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert list(spooled.iterdir()) == []


def test_a_real_server_refuses_a_chunked_upload(live_server, spooled):
    head = (
        f"POST {IMPORT} HTTP/1.1\r\nHost: localhost\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    answer = _raw_request(live_server, head, b"10000\r\n" + b"a" * 0x10000 + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 411"), answer[:200]
    assert list(spooled.iterdir()) == []


# --- No cache for a signed-in user -----------------------------------------------------------


def _never_stored(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives and get_max_age(response) == 0


@pytest.fixture
def signed_in(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("reports.bilan.render_pdf", lambda year: b"%PDF-1.7 cache")
    project = ProjectFactory()
    FundingLineFactory(project=project)
    client = Client()
    client.force_login(_user(roles.DIRECTION))
    return client, project


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tableau-de-bord/?annee=2021",
        "/tableau-de-bord/?annee=2021&format=csv&chart=piliers",
        "/tableau-de-bord/communes.geojson",
        "/bilan/2021/",
        "/bilan/2021.json",
        "/bilan/2021.pdf",
        "/bilan/2021/textes/",
        "/projets/",
        "/projets/export/?format=csv",
        "/projets/export/?format=xlsx",
        "/projets/export/?format=xlsx-lisible",
        "/projets/import/modele.xlsx",
        "/projets/{project}/",
        "/porteurs/",
        "/porteurs/recherche/?q=asso",
        "/projets/page-inconnue/",
        "/admin/",
    ],
)
def test_every_answer_to_a_signed_in_user_is_private_and_not_stored(signed_in, path):
    client, project = signed_in
    response = client.get(path.format(project=project.pk))
    assert response.status_code in (200, 302, 403, 404), path
    assert _never_stored(response), (path, response.get("Cache-Control"))
    assert parsedate_to_datetime(response["Expires"]).timestamp() > 0


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(db):
    client = Client()
    client.force_login(_user(roles.COMITE))
    response = client.get("/projets/export/?format=csv")
    assert response.status_code == 403
    assert _never_stored(response)


def test_static_files_stay_cacheable_for_a_signed_in_user(signed_in):
    client, _project = signed_in
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert get_max_age(response) > 0


def test_anonymous_pages_keep_their_own_headers(db):
    response = Client().get("/connexion/")
    # Django's login view is never cached anyway; the middleware adds nothing for anonymous users
    # elsewhere (the login redirect).
    assert "no-store" in response["Cache-Control"]
    redirect = Client().get("/projets/")
    assert redirect.status_code == 302 and "Cache-Control" not in redirect

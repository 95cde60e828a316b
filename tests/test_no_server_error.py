"""No parameter makes a server error: a hostile value gives a 400, a 404 or the page's French
message, never a 500.

The matrix is generated from the URL conf (the admin's addresses included): every address ×
every role × hostile values

- of every path converter (`<int64:pk>`, `<str:fmt>`, the admin's `<path:object_id>`...; in the
  admin, for the administrator: the others are refused before the address is read);
- of every query parameter: the dossier list's, the porteurs', the dashboard's, the views' own
  (`page`, `tri`, `format`...), and, for the admin, its own and those its change lists link to.
  Each role asks each address with every parameter and every value at once; if the view reads
  any (request.GET is recorded), with every parameter and each value in turn; and the first role
  that may open the page asks the parameters it reads one at a time, so that one parameter's
  error cannot hide another's (a view reads its parameters the same way whoever asks);
- of every field of the application's forms (POST), management forms of formsets included, as
  the direction, who may post them all.

The hypothesis tests below draw further values and combinations for the most exposed pages.
Integer overflows differ between databases (SQLite cannot bind a number beyond 64 bits,
PostgreSQL compares it as a numeric; PostgreSQL refuses a NUL character in a query): the
matrix is run on both (DATABASE_URL)."""

import html
import html.parser
import re
import time
import traceback
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.core.signals import got_request_exception
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, StringConverter
from django.urls.resolvers import RoutePattern
from django.utils.functional import cached_property
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contratville import roles
from contratville.converters import MAX_INT64, Int64Converter
from projects.filters import PARAMETERS as DOSSIER_PARAMETERS
from projects.models import ProgrammeYear, Project, Status
from projects.operator_filters import OperatorFilter
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    quartier,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "agent", "direction", "comite", "admin")
GROUPS = {
    "agent": roles.AGENT,
    "direction": roles.DIRECTION,
    "comite": roles.COMITE,
    "admin": roles.ADMINISTRATEUR,
}

HUGE = "99999999999999999999999"
# The same parameter three times: a list where a view may expect one value.
REPEATED = ("1", HUGE, "\x00")

# Hostile values of a query parameter or a form field.
VALUES: tuple[str | tuple[str, ...], ...] = (
    "",
    "-1",
    HUGE,  # beyond 64 bits: SQLite cannot bind it
    str(MAX_INT64 + 1),
    "\x00",  # PostgreSQL refuses it in a query
    "²",  # a digit for str.isdigit(), not for int()
    "csv",  # a valid value of `format`: opens the branches behind it
    "'\"<script>%;--",
    "é" * 300,
    REPEATED,
)
# One parameter at a time, the values that broke pages (and a long text).
ISOLATED_VALUES = (HUGE, str(MAX_INT64 + 1), "\x00", "²", "é" * 300, REPEATED)
# The admin is Django's (and django-import-export's) code: fewer values.
ADMIN_VALUES: tuple[str | tuple[str, ...], ...] = (HUGE, "\x00", "-1", REPEATED)
ADMIN_ISOLATED_VALUES = (HUGE, "\x00")

# Hostile values of a path converter, by converter. Percent-encoded as in an address.
INTEGER_SEGMENTS = ("0", "99999999999999999999", str(MAX_INT64), str(MAX_INT64 + 1), "0" * 30 + "1")
TEXT_SEGMENTS = ("%00", HUGE, "-1", "..%2F..%2Fetc%2Fpasswd", "x" * 300, "%C2%B2")
ADMIN_TEXT_SEGMENTS = ("%00", HUGE, "..%2F..%2Fetc%2Fpasswd")


def application_parameters() -> list[str]:
    """The query parameters of our views: the dossier filters' (the list, its export, the
    dashboard), the porteurs', and the views' own. A view that asks for another one gets it too
    (`probe_parameters`)."""
    names = set(DOSSIER_PARAMETERS) | set(OperatorFilter.base_filters)
    names |= {"page", "par_page", "tri", "format", "chart", "next"}
    return sorted(names)


# The admin's own parameters (change list: search, ordering, page, error flag, show all; the
# other pages: popups, to-field, the change list's filters kept, where to go next).
ADMIN_PARAMETERS = ("q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters", "next")


# --- What a view reads of request.GET --------------------------------------------------------

EVERYTHING = "*"


class RecordingQueryDict(QueryDict):
    """request.GET, noting the parameters a view asks for; iterating means all of them."""

    reads: set[str] | None = None

    def _note(self, key):
        if RecordingQueryDict.reads is not None:
            RecordingQueryDict.reads.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def _everything(self):
        self._note(EVERYTHING)

    def __iter__(self):
        self._everything()
        return super().__iter__()

    def items(self):
        self._everything()
        return super().items()

    def lists(self):
        self._everything()
        return super().lists()

    def keys(self):
        self._everything()
        return super().keys()

    def values(self):
        self._everything()
        return super().values()

    def dict(self):
        self._everything()
        return super().dict()

    def urlencode(self, safe=None):
        self._everything()
        return super().urlencode(safe)


@pytest.fixture
def recorded_get(monkeypatch):
    def recording_get(request):
        raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
        return RecordingQueryDict(raw, encoding=request._encoding)

    prop = cached_property(recording_get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)


class Reads:
    def __enter__(self):
        RecordingQueryDict.reads = set()
        return RecordingQueryDict.reads

    def __exit__(self, *exc):
        RecordingQueryDict.reads = None


# --- The data and the clients ----------------------------------------------------------------


class MatrixClient(Client):
    """Django's test client without its copy of every rendered template's context: the matrix
    reads status codes only, and a form page renders some two hundred widget templates."""

    def __init__(self):
        super().__init__(raise_request_exception=False)

    def request(self, **request):
        environ = self._base_environ(**request)
        uid = f"request-exception-{id(request)}"
        got_request_exception.connect(self.store_exc_info, dispatch_uid=uid)
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid=uid)
        self.check_exception(response)
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    """A small programmation: one of each object an address can name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The PDF's rendering (WeasyPrint, Chromium) is tested in tests/reports/test_bilan_pdf.py;
    # no parameter reaches it.
    monkeypatch.setattr("reports.bilan.render_pdf", lambda year: b"%PDF-1.7 matrice")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    year = ProgrammeYearFactory(year=2021)
    ProgrammeYearFactory(year=2020)
    project = ProjectFactory(year=year, status=Status.DEPOSE, reference="M-1")
    project.quartiers.add(quartier())
    FundingLineFactory(project=project)
    focus = ProjectFactory(year=year, status=Status.PROGRAMME, reference="M-2", is_focus=True, focus_order=1)
    FundingLineFactory(project=focus)
    other_year_focus = ProjectFactory(
        year=ProgrammeYear.objects.get(year=2020), status=Status.PROGRAMME, is_focus=True, focus_order=1
    )
    FondsDeConcoursFactory(year=year)
    project.indicators.create(label="Participants", expected=10)
    OperatorFactory()
    users = {}
    for role, group in GROUPS.items():
        user = UserFactory(username=f"hostile-{role}", is_staff=role == "admin", is_superuser=role == "admin")
        user.groups.add(Group.objects.get(name=group))
        users[role] = user
    from projects.services import project_change_status

    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=users["agent"])
    attempt = {"ip_address": "192.0.2.1", "user_agent": "test", "path_info": "/connexion/"}
    AccessAttempt.objects.create(username="x", failures_since_start=1, get_data="", post_data="", **attempt)
    AccessLog.objects.create(username="x", **attempt)
    AccessFailureLog.objects.create(username="x", locked_out=False, **attempt)
    clients = {"anonymous": MatrixClient()}
    for role, user in users.items():
        clients[role] = MatrixClient()
        clients[role].force_login(user)
    return {
        "project": project,
        "focus": focus,
        "other_year_focus": other_year_focus,
        "operator": project.operator,
        "users": users,
        "clients": clients,
    }


# --- The URL conf, walked --------------------------------------------------------------------


@dataclass
class Segment:
    """A variable part of an address: its valid value, and the hostile ones."""

    name: str
    valid: str
    hostile: tuple[str, ...]


@dataclass
class Address:
    name: str  # URL name, or the route for unnamed ones
    parts: list[str | Segment]  # the address: fixed text and variable segments
    admin: bool

    @property
    def segments(self) -> list[Segment]:
        return [part for part in self.parts if isinstance(part, Segment)]

    def url(self, **replaced) -> str:
        return "".join(
            replaced.get(part.name, part.valid) if isinstance(part, Segment) else part for part in self.parts
        )

    @property
    def valid_url(self) -> str:
        return self.url()


def _walk(patterns, pieces=(), namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _walk(pattern.url_patterns, (*pieces, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and ":".join(n for n in (namespace, pattern.name) if n)
            yield (*pieces, pattern.pattern), name


def _admin_model(route: str):
    for model in admin.site._registry:
        if route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def _first(model):
    return model._default_manager.order_by("pk").first()


def _valid_value(name: str, route: str, url_name: str | None, world) -> str:
    model = _admin_model(route)
    if url_name == "admin:view_on_site":
        return str(
            {
                "content_type_id": ContentType.objects.get_for_model(Project).pk,
                "object_id": world["project"].pk,
            }[name]
        )
    if model is not None and name in ("object_id", "id"):
        # A model the dataset has no object of: its pages answer "does not exist".
        obj = _first(model)
        return str(obj.pk) if obj is not None else "1"
    if url_name == "projects:operator-detail":
        return str(world["operator"].pk)
    # Another segment (a new app's): "1", which may name nothing; its hostile values are asked
    # all the same.
    return {"pk": str(world["project"].pk), "year": "2021", "fmt": "csv"}.get(name, "1")


def _hostile(converter, is_admin: bool) -> tuple[str, ...]:
    if isinstance(converter, Int64Converter | IntConverter):
        return INTEGER_SEGMENTS
    if isinstance(converter, StringConverter | PathConverter):
        return ADMIN_TEXT_SEGMENTS if is_admin else TEXT_SEGMENTS
    raise AssertionError(f"convertisseur sans valeurs hostiles : {type(converter).__name__}")


def url_conf(world) -> list[Address]:
    addresses = []
    for pieces, name in _walk(get_resolver().url_patterns):
        route = "".join(str(piece) for piece in pieces)
        is_admin = route.startswith("admin/")
        parts: list[str | Segment] = ["/"]
        for piece in pieces:
            text = str(piece)
            if isinstance(piece, RoutePattern):
                split = re.split(r"<(?:\w+:)?(\w+)>", text)
                for index, part in enumerate(split):
                    if index % 2 == 0:
                        parts.append(part)
                    else:
                        valid = _valid_value(part, route, name, world)
                        parts.append(Segment(part, valid, _hostile(piece.converters[part], is_admin)))
            elif name == "admin:app_list":
                parts += [Segment("app_label", "projects", ADMIN_TEXT_SEGMENTS), "/"]
            elif text == "(?P<url>.*)$":
                parts.append(Segment("url", "adresse-inconnue/", ADMIN_TEXT_SEGMENTS))
            elif name and name.endswith("_simple_history"):
                obj = _first(_admin_model(route))
                history = obj.history.order_by("history_id").first() if obj is not None else None
                parts += [
                    Segment("object_id", str(obj.pk) if obj else "1", ADMIN_TEXT_SEGMENTS),
                    "/history/",
                    Segment("history_id", str(history.history_id) if history else "1", ADMIN_TEXT_SEGMENTS),
                    "/",
                ]
            else:
                raise AssertionError(f"motif d'adresse non pris en charge : {route}")
        addresses.append(Address(name or route, parts, is_admin))
    return addresses


# --- Asking ----------------------------------------------------------------------------------


def _cause(response) -> str:
    """The exception behind a server error, in one line."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    frames = traceback.extract_tb(exc_info[2])
    where = next((f for f in reversed(frames) if "/.venv/" not in f.filename), frames[-1])
    return f" ({exc_info[0].__name__}: {str(exc_info[1])[:80]} — {where.filename}:{where.lineno})"


class Matrix:
    """Sends the requests, keeps count, collects the server errors."""

    def __init__(self, world):
        self.world = world
        self.requests = 0
        self.errors: list[str] = []
        self.started = time.monotonic()
        self.time_by_path: dict[str, float] = {}

    def get(self, role: str, url: str, params=None) -> tuple[object, set[str]]:
        started = time.monotonic()
        with Reads() as reads:
            response = self.world["clients"][role].get(url, params or {})
        self.requests += 1
        self.time_by_path[url] = self.time_by_path.get(url, 0) + time.monotonic() - started
        if response.status_code >= 500:
            shown = {k: (v if len(str(v)) < 40 else f"{str(v)[:37]}...") for k, v in (params or {}).items()}
            self.errors.append(f"{role} GET {url} {shown!r} → {response.status_code}{_cause(response)}")
        return response, set(reads)

    def post(self, role: str, url: str, data, field: str) -> object:
        started = time.monotonic()
        response = self.world["clients"][role].post(url, data)
        self.requests += 1
        key = f"POST {url} {data.get('action', '')}"
        self.time_by_path[key] = self.time_by_path.get(key, 0) + time.monotonic() - started
        if response.status_code >= 500:
            value = str(data[field])
            shown = value if len(value) < 40 else f"{value[:37]}..."
            self.errors.append(
                f"{role} POST {url} {field}={shown!r} → {response.status_code}{_cause(response)}"
            )
        return response

    def report(self, what: str) -> str:
        slowest = sorted(self.time_by_path.items(), key=lambda item: -item[1])[:8]
        details = ", ".join(f"{path} {seconds:.1f} s" for path, seconds in slowest)
        return f"{what} : {self.requests} requêtes en {time.monotonic() - self.started:.1f} s ({details})"


def _refused(response) -> bool:
    """The role may not open the address: the view read nothing."""
    if response.status_code in (403, 405):
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/connexion/?next=", "/admin/login/?next="))


def _every_value_at_once(parameters, values) -> dict[str, list[str]]:
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, tuple) else [value])
    return {name: flat for name in parameters}


def _as_param(value):
    return list(value) if isinstance(value, tuple) else value


def probe_parameters(
    matrix: Matrix, role: str, url: str, parameters, values, *, each_value=True, isolate=()
) -> set[str]:
    """Every parameter with every value at once; if the view reads any: every parameter with
    each value in turn (`each_value`: a view may read one parameter only when another has some
    value, `chart` when `format=csv`), then those it reads one at a time with each of the
    `isolate` values, so that one parameter's error cannot hide another's. Returns the
    parameters the view read."""
    _response, reads = matrix.get(role, url, _every_value_at_once(parameters, values))
    if not reads:
        # A refused role, or a view without parameters.
        return set()
    asked = {name for name in reads if name != EVERYTHING} - set(parameters)
    if asked:
        # The view asked for parameters of its own (`a` and `b` of a comparison...): theirs too.
        parameters = sorted({*parameters, *asked})
        _response, more = matrix.get(role, url, _every_value_at_once(parameters, values))
        reads |= more
    if each_value:
        for value in values:
            _response, more = matrix.get(role, url, {name: _as_param(value) for name in parameters})
            reads |= more
    read = set(parameters) if EVERYTHING in reads else reads & set(parameters)
    for name in sorted(read):
        for value in isolate:
            matrix.get(role, url, {name: _as_param(value)})
    return read


class FormFields(html.parser.HTMLParser):
    """The fields of a page's forms (name → value), and the parameters its links carry."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.link_parameters: set[str] = set()
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action"),
                    "fields": {},
                }
            )
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.link_parameters |= {name for name, _ in parse_qsl(urlsplit(attrs["href"]).query)}
        elif self.forms and tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self.forms[-1]["fields"].setdefault(attrs["name"], "")
            elif kind == "submit" or tag == "button":
                # The form's first named button, as a click on it sends.
                self.forms[-1]["fields"].setdefault(attrs["name"], attrs.get("value", ""))
            elif kind != "file":
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
            if tag == "select":
                self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_fields(response) -> FormFields:
    parser = FormFields()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    return parser


# --- The matrices ----------------------------------------------------------------------------


@pytest.mark.slow
def test_every_path_converter_with_hostile_values(world):
    matrix = Matrix(world)
    addresses = url_conf(world)
    assert len(addresses) > 150, "l'administration est parcourue aussi"
    converted = [a for a in addresses if a.segments]
    for address in converted:
        for segment in address.segments:
            for value in segment.hostile:
                url = address.url(**{segment.name: value})
                # Outside the admin, every role gets every value. In the admin only the
                # administrator goes past the sign-in check, which comes before any use of the
                # address's segments (the other roles open every admin address in the test of
                # the query parameters below).
                for role in ("admin",) if address.admin else ROLES:
                    matrix.get(role, url)
    print(matrix.report(f"{len(converted)} adresses à segments variables"))
    assert matrix.errors == [], "\n".join(matrix.errors)
    assert matrix.requests > 400


@pytest.mark.slow
def test_every_address_every_role_every_query_parameter(world, recorded_get):
    matrix = Matrix(world)
    parameters = application_parameters()
    reads = {}
    addresses = [a for a in url_conf(world) if not a.admin]
    for address in addresses:
        isolated = False
        for role in ROLES:
            # Each role gets every parameter with each value; the parameters one at a time are
            # asked of the first role that may open the page: its reading does not depend on
            # who reads.
            reads[(address.name, role)] = probe_parameters(
                matrix,
                role,
                address.valid_url,
                parameters,
                VALUES,
                isolate=() if isolated else ISOLATED_VALUES,
            )
            isolated = isolated or bool(reads[(address.name, role)])
    print(
        matrix.report(
            f"{len(addresses)} adresses × {len(ROLES)} rôles × {len(parameters)} paramètres × {len(VALUES)} valeurs"
        )
    )
    assert matrix.errors == [], "\n".join(matrix.errors)
    # The recording works: the list reads its filters, the dashboard its own and `chart` after
    # `format=csv`; a refused role reads nothing.
    assert set(DOSSIER_PARAMETERS) <= reads[("projects:list", "agent")]
    assert {*DOSSIER_PARAMETERS, "format", "chart"} <= reads[("reports:dashboard", "comite")]
    assert reads[("projects:list", "comite")] == set()
    assert reads[("projects:list", "anonymous")] == set()


@pytest.mark.slow
def test_every_admin_address_with_hostile_query_parameters(world, recorded_get):
    matrix = Matrix(world)
    addresses = [a for a in url_conf(world) if a.admin]
    admin_client = world["clients"]["admin"]
    for address in addresses:
        url = address.valid_url
        parameters = set(ADMIN_PARAMETERS)
        changelist = address.name.endswith("_changelist")
        if changelist:
            # The change list's filters, as its links name them (`status__exact`...).
            parameters |= page_fields(admin_client.get(url)).link_parameters
        for role in ROLES:
            # The other pages read their few parameters through Django's generic code: every
            # parameter with every value at once; the change lists each parameter in turn.
            probe_parameters(
                matrix,
                role,
                url,
                sorted(parameters),
                ADMIN_VALUES,
                each_value=False,
                isolate=ADMIN_ISOLATED_VALUES if changelist else (),
            )
    print(matrix.report(f"{len(addresses)} adresses de l'administration × {len(ROLES)} rôles"))
    assert matrix.errors == [], "\n".join(matrix.errors)


def _one_of_each(fields) -> list[str]:
    """The fields to make hostile: a formset's first row stands for the others (same form), and
    its empty row (`__prefix__`, the template the page copies) is not sent by a browser."""
    kinds, chosen = set(), []
    for name in fields:
        if "__prefix__" in name:
            continue
        kind = re.sub(r"-\d+-", "-N-", name)
        if kind not in kinds:
            kinds.add(kind)
            chosen.append(name)
    return chosen


# The forms of the application, as the direction (who may post to every one of them) sees them.
POST_PAGES = {
    "projects:create": "/projets/nouveau/",
    "projects:update": "/projets/{project}/modifier/",
    "projects:project-transition": "/projets/{project}/",  # the dossier page holds its forms
    "reports:bilan-texts": "/bilan/2021/textes/",
    "projects:import": "/projets/import/",
    "login": "/connexion/",
}
POST_VALUES: tuple[str | tuple[str, ...], ...] = (HUGE, "\x00")
# The creation form is the edition's form (same fields, same formsets, fuzzed there): here only
# what creating does besides, a new porteur and the submission.
ONLY_FIELDS = {"projects:create": ("new_operator_", "operator", "year", "reference", "action")}


def _post_forms(client, page_url) -> list[dict]:
    """The page's POST forms (action, fields), but the layout's sign-out button: the matrix
    would sign itself out."""
    response = client.get(page_url)
    assert response.status_code == 200, page_url
    return [
        {
            "action": form["action"] or page_url,
            "fields": {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"},
        }
        for form in page_fields(response).forms
        if form["method"] == "post" and form["action"] != "/deconnexion/"
    ]


@pytest.mark.slow
def test_every_form_field_with_hostile_values(world):
    matrix = Matrix(world)
    posted_forms = 0
    for name, page in POST_PAGES.items():
        role = "anonymous" if name == "login" else "direction"
        client = world["clients"][role]
        page_url = page.format(project=world["project"].pk)
        forms = _post_forms(client, page_url)
        assert forms, f"aucun formulaire sur {page_url}"
        for form in forms:
            posted_forms += 1
            fields = _one_of_each(form["fields"])
            if name in ONLY_FIELDS:
                fields = [field for field in fields if field.startswith(ONLY_FIELDS[name])]
            for field in fields:
                for value in POST_VALUES:
                    response = matrix.post(
                        role, form["action"], {**form["fields"], field: _as_param(value)}, field
                    )
                    if response.status_code == 302 and "version" in form["fields"]:
                        # Saved (the hostile value was ignored): the dossier's new version, so
                        # that the next post is not a stale one (tested on its own below).
                        version = Project.objects.get(pk=world["project"].pk).version
                        form["fields"]["version"] = str(version)
    print(matrix.report(f"{posted_forms} formulaires, chaque champ × {len(POST_VALUES)} valeurs"))
    assert matrix.errors == [], "\n".join(matrix.errors)


def test_a_stale_dossier_form_with_an_invalid_porteur_is_a_conflict_page(world):
    """A save from a form older than the dossier, whose porteur is not valid either: the
    conflict page, without comparing the porteur (it used to fail on it)."""
    client = world["clients"]["direction"]
    url = f"/projets/{world['project'].pk}/modifier/"
    fields = _post_forms(client, url)[0]["fields"]
    assert client.post(url, {**fields, "title": "Enregistré entre-temps"}).status_code == 302
    response = client.post(url, {**fields, "operator": HUGE})
    assert response.status_code == 409
    assert Project.objects.get(pk=world["project"].pk).title == "Enregistré entre-temps"


# --- Property tests --------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["\x00", "²", "٣", HUGE, "csv", "xlsx", "-nom", "2021", "QP062004", "anct"]),
)
query = st.dictionaries(
    st.sampled_from(application_parameters()), st.lists(hostile_text, min_size=1, max_size=3), max_size=6
)
PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/projets/", "agent"),
        ("/projets/export/", "direction"),
        ("/tableau-de-bord/", "comite"),
        ("/porteurs/", "agent"),
        ("/porteurs/recherche/", "agent"),
    ],
)
@PROPERTY_SETTINGS
@given(params=query)
def test_any_query_of_the_busiest_pages_answers_without_server_error(world, path, role, params):
    response = world["clients"][role].get(path, params)
    assert response.status_code < 500, (path, params)


management_count = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str), st.text(max_size=8), st.just(HUGE)
)


@PROPERTY_SETTINGS
@given(
    total=management_count,
    initial=management_count,
    ids=st.lists(
        st.one_of(st.sampled_from(["focus", "other_year_focus", "project"]), management_count), max_size=3
    ),
    add=st.one_of(st.sampled_from(["", "project", "other_year_focus"]), management_count),
    action=st.sampled_from(["apercu", "enregistrer"]),
)
def test_a_crafted_focus_formset_answers_without_server_error(world, total, initial, ids, add, action):
    """The bilan's texts form, its focus formset's management counts and ids made up."""

    def object_id(value):
        return str(world[value].pk) if value in ("focus", "other_year_focus", "project") else value

    data = {
        "textes-perspectives_text": "Perspectives.",
        "focus-TOTAL_FORMS": total,
        "focus-INITIAL_FORMS": initial,
        "focus-MIN_NUM_FORMS": "0",
        "focus-MAX_NUM_FORMS": "1000",
        "ajout-project": object_id(add),
        "action": action,
    }
    for index, value in enumerate(ids):
        data[f"focus-{index}-id"] = object_id(value)
        data[f"focus-{index}-focus_description"] = "Réécrit."
    before = _focus_state()
    response = world["clients"]["direction"].post("/bilan/2021/textes/", data)
    assert response.status_code < 500, data
    other = Project.objects.get(pk=world["other_year_focus"].pk)
    # Another year's focus action is never touched through this year's form.
    assert (other.is_focus, other.focus_description) == (True, "")
    if response.status_code != 302:
        assert _focus_state() == before


def _focus_state():
    return list(
        Project.objects.order_by("pk").values_list("pk", "is_focus", "focus_order", "focus_description")
    )


# --- The cases found, one by one -------------------------------------------------------------


def _client(world, role) -> Client:
    """Django's own test client (with the pages' contexts)."""
    client = Client()
    client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("agent", f"/projets/?porteur={HUGE}", 200),
        ("agent", f"/projets/export/?porteur={HUGE}&format=csv", 400),
        ("direction", f"/tableau-de-bord/?porteur={HUGE}", 200),
        ("direction", f"/bilan/{HUGE}.json", 404),
        ("direction", "/bilan/1999.json", 404),
        ("agent", f"/projets/{HUGE}/", 404),
        ("agent", f"/projets/{HUGE}/modifier/", 404),
        ("agent", f"/porteurs/{HUGE}/", 404),
        ("agent", "/projets/?annee=%C2%B2", 200),
        ("direction", "/tableau-de-bord/?annee=%C2%B2", 200),
        ("direction", "/tableau-de-bord/?porteur=%C2%B2", 200),
        ("agent", "/projets/?q=a%00b", 200),
        ("agent", "/projets/?quartier=QP%00", 200),
        ("agent", "/porteurs/recherche/?q=a%00b", 400),
    ],
)
def test_the_hostile_values_of_the_issue(world, role, url, status):
    response = world["clients"][role].get(url)
    assert response.status_code == status, _cause(response)


def test_an_out_of_range_porteur_is_a_french_message_on_the_list(world):
    response = _client(world, "agent").get("/projets/", {"porteur": HUGE})
    assert f"« {HUGE} » n'est pas un identifiant de porteur." in html.unescape(response.content.decode())
    assert response.context["page"].paginator.count == 0


def test_a_nul_character_in_the_search_is_a_french_message(world):
    response = _client(world, "agent").get("/projets/", {"q": "a\x00b"})
    message = "Recherche : « ab » contient un caractère nul ; valeur refusée."
    assert response.context["filter_errors"] == [message]
    assert message in html.unescape(response.content.decode())


def test_a_focus_form_for_another_year_s_dossier_is_refused_and_nothing_is_saved(world):
    other = world["other_year_focus"]
    data = {
        "textes-perspectives_text": "Perspectives.",
        "focus-TOTAL_FORMS": "1",
        "focus-INITIAL_FORMS": "1",
        "focus-MIN_NUM_FORMS": "0",
        "focus-MAX_NUM_FORMS": "1000",
        "focus-0-id": str(other.pk),
        "focus-0-focus_description": "Réécrit depuis 2021.",
        "ajout-project": "",
        "action": "enregistrer",
    }
    response = world["clients"]["direction"].post("/bilan/2021/textes/", data)
    assert response.status_code == 200
    assert "ne correspond pas aux actions de l'année" in html.unescape(response.content.decode())
    assert Project.objects.get(pk=other.pk).focus_description == ""
    assert ProgrammeYear.objects.get(year=2021).perspectives_text == ""


def test_a_focus_form_added_by_hand_is_refused(world):
    data = {
        "textes-perspectives_text": "Perspectives.",
        "focus-TOTAL_FORMS": "1",
        "focus-INITIAL_FORMS": "0",
        "focus-0-focus_description": "Un dossier inventé.",
        "ajout-project": "",
        "action": "apercu",
    }
    count = Project.objects.count()
    response = world["clients"]["direction"].post("/bilan/2021/textes/", data)
    assert response.status_code == 200
    assert "ne correspond pas aux actions de l'année" in html.unescape(response.content.decode())
    assert Project.objects.count() == count


@pytest.mark.parametrize(
    ("url", "status"),
    [
        # Django's date hierarchy: a year past 9999, or too large for a date at all.
        ("/admin/axes/accessattempt/?attempt_time__year=9999", 302),
        (f"/admin/axes/accessattempt/?attempt_time__year={HUGE}", 302),
        ("/admin/axes/accesslog/?attempt_time__year=2021&attempt_time__month=13", 302),
        # A NUL character in a filter: PostgreSQL refuses it in a query.
        ("/admin/projects/project/?status__exact=%00", 302),
        ("/admin/axes/accessattempt/?path_info=%00", 302),
        # django-simple-history's pages with an id that is not one.
        ("/admin/projects/project/abc/history/", 404),
        ("/admin/projects/project/%00/history/", 404),
        ("/admin/projects/operator/1/history/abc/", 404),
    ],
)
def test_the_admin_s_own_server_errors(world, url, status):
    response = world["clients"]["admin"].get(url)
    assert response.status_code == status, _cause(response)
    if status == 302:
        assert response["Location"].endswith("?e=1")


def test_int64_converter_bounds():
    converter = Int64Converter()
    assert converter.to_python(str(MAX_INT64)) == MAX_INT64
    for value in (str(MAX_INT64 + 1), HUGE, "٣"):
        with pytest.raises(ValueError):
            converter.to_python(value)

"""Every address of the URL conf × every role → the expected answer.

The matrix is built from the URL conf itself (admin included): an address without an entry
below fails `test_every_address_has_an_entry_in_the_matrix`, so a new view cannot ship without
someone deciding who may open it. Addresses are keyed by URL name; the admin's, which repeat
for every registered model, by their family (`admin:*_changelist`, `admin:*_change`...), with
per-model exceptions in ADMIN_MODEL_EXCEPTIONS.

Roles (contratville/roles.py): anonymous, agent (Chargés de mission), direction, comité, and
admin (a superuser in the Administrateurs group). The agent and the direction are staff here, as
the demonstration's were before the admin closed to them: `is_staff` must open nothing."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from comites.models import FundingDecision, SeanceKind
from comites.services import agenda_add_projects, scenario_create, seance_create
from contratville import roles
from courriers.models import Letter, LetterBatch, LetterSending, LetterTemplate
from funding.models import Envelope, Payment
from projects.imports.storage import pending_import_get, pending_import_store
from projects.models import ProgrammeYear, Project, Status
from tests.documents.factories import DocumentFactory
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProjectFactory,
    UserFactory,
    complete_compte_rendu,
    funder,
)

ROLES = ("anonymous", "agent", "direction", "comite", "admin")
GROUPS = {
    "agent": roles.AGENT,
    "direction": roles.DIRECTION,
    "comite": roles.COMITE,
    "admin": roles.ADMINISTRATEUR,
}

# Expected answers.
OK = 200
DENIED = 403  # signed in, not allowed: the 403 page (and a line in the security log)
NOT_FOUND = 404
GET_NOT_ALLOWED = 405  # a POST-only view
LOGIN = "→ /connexion/"  # 302 to our login page, with ?next=
ADMIN_LOGIN = "→ /admin/login/"  # 302 to the admin's login page, with ?next=


@dataclass(frozen=True)
class Redirect:
    """302 to an address starting with `to` (`{pk}`, `{project}`, ... from the dataset)."""

    to: str

    def __str__(self):
        return f"→ {self.to}"


def row(anonymous, agent, direction, comite, admin) -> dict[str, object]:
    return dict(zip(ROLES, (anonymous, agent, direction, comite, admin), strict=True))


def everyone(answer) -> dict[str, object]:
    return row(answer, answer, answer, answer, answer)


# The Django admin: administrators only (contratville/admin_site.py). Anonymous visitors go to
# the admin's login page; any other signed-in user gets the 403 page, staff or not.
def admin_only(answer=OK) -> dict[str, object]:
    return row(ADMIN_LOGIN, DENIED, DENIED, DENIED, answer)


#                                   anonymous  agent   direction  comité  admin
READ_DOSSIERS = row(LOGIN, OK, OK, DENIED, OK)
WRITE_DOSSIERS = row(LOGIN, OK, OK, DENIED, OK)
READ_BILAN = row(LOGIN, OK, OK, OK, OK)

MATRIX: dict[str, dict[str, object]] = {
    # Sign-in and sign-out (Django's views). Signing out is a POST.
    "login": everyone(OK),
    "logout": everyone(GET_NOT_ALLOWED),
    # Each role's home: the dashboard for direction, comité and admin, the dossiers for agents.
    "reports:home": row(LOGIN, Redirect("/projets/"), OK, OK, OK),
    # Dossiers (funding/urls.py).
    "projects:list": READ_DOSSIERS,
    "projects:export": row(LOGIN, OK, OK, DENIED, OK),
    "projects:import": row(LOGIN, OK, OK, DENIED, OK),
    "projects:import-template": row(LOGIN, OK, OK, DENIED, OK),
    "projects:create": WRITE_DOSSIERS,
    "projects:detail": READ_DOSSIERS,
    "projects:update": WRITE_DOSSIERS,
    # Operators and the workflow (projects/urls.py). A status change is a POST.
    "projects:operator-list": READ_DOSSIERS,
    "projects:operator-search": READ_DOSSIERS,
    "projects:operator-detail": READ_DOSSIERS,
    "projects:operator-update": WRITE_DOSSIERS,
    "projects:project-transition": everyone(GET_NOT_ALLOWED),
    # The list's bulk actions (a POST: confirmation, then the change; agents and direction).
    "projects:selection": everyone(GET_NOT_ALLOWED),
    # Dashboard and bilan (reports/urls.py): every role reads them; only the direction writes
    # the bilan's texts.
    "reports:dashboard": READ_BILAN,
    "reports:dashboard-geojson": READ_BILAN,
    "reports:bilan": READ_BILAN,
    "reports:bilan-json": READ_BILAN,
    "reports:bilan-pdf": READ_BILAN,
    "reports:bilan-texts": row(LOGIN, DENIED, OK, DENIED, OK),
    # The agents' follow-up (comptes-rendus, payments, instruction, pieces): not the comité's.
    "reports:follow-up": row(LOGIN, OK, OK, DENIED, OK),
    # Comités (comites/urls.py): agents prepare séances, agendas and scenarios; only the direction
    # applies a decision (and sets the envelopes, a POST); the comité reads séances, scenarios,
    # documents and envelopes. Every write is a POST.
    "comites:seance-list": READ_BILAN,
    "comites:seance-create": row(LOGIN, OK, OK, DENIED, OK),
    "comites:seance-detail": READ_BILAN,
    "comites:seance-update": row(LOGIN, OK, OK, DENIED, OK),
    "comites:seance-state": everyone(GET_NOT_ALLOWED),
    "comites:agenda-add": everyone(GET_NOT_ALLOWED),
    "comites:agenda-remove": everyone(GET_NOT_ALLOWED),
    "comites:agenda-bulk": everyone(GET_NOT_ALLOWED),
    "comites:scenario-create": everyone(GET_NOT_ALLOWED),
    "comites:scenario-compare": READ_BILAN,
    "comites:seance-decisions-pdf": READ_BILAN,
    "comites:scenario": READ_BILAN,
    "comites:scenario-cell": everyone(GET_NOT_ALLOWED),
    "comites:scenario-opinion": everyone(GET_NOT_ALLOWED),
    "comites:scenario-duplicate": everyone(GET_NOT_ALLOWED),
    "comites:scenario-rename": everyone(GET_NOT_ALLOWED),
    "comites:scenario-refresh": everyone(GET_NOT_ALLOWED),
    "comites:scenario-apply": row(LOGIN, DENIED, OK, DENIED, OK),
    "comites:scenario-xlsx": READ_BILAN,
    "comites:scenario-pdf": READ_BILAN,
    "comites:envelopes": READ_BILAN,
    # A dossier's pieces (documents/urls.py): agents and the direction upload, download and
    # withdraw them (withdrawing is a POST); only the direction sets the required pieces; the
    # comité sees nothing of them.
    "documents:project-documents": READ_DOSSIERS,
    "documents:download": READ_DOSSIERS,
    "documents:delete": everyone(GET_NOT_ALLOWED),
    "documents:checklist": row(LOGIN, DENIED, OK, DENIED, OK),
    # Payments (funding/urls.py): agents and the direction plan and record them (a POST on the
    # dossier's page); the comité sees nothing of them.
    "funding:project-payments": READ_DOSSIERS,
    "funding:payments": READ_DOSSIERS,
    "funding:project-compte-rendu": READ_DOSSIERS,
    "funding:compte-rendu-import": row(LOGIN, OK, OK, DENIED, OK),
    # The subsidies' open data: the direction publishes it. The matrix's dossier has neither
    # SIRET nor schedule: the direction gets the list of what is missing (409), no file.
    "funding:scdl": row(LOGIN, DENIED, 409, DENIED, 409),
    # Letters (courriers/urls.py): agents generate and send them, only the direction edits their
    # templates, the comité sees nothing of them. Sending and the preview are POSTs.
    "courriers:project-letters": WRITE_DOSSIERS,
    "courriers:template-list": row(LOGIN, DENIED, OK, DENIED, OK),
    "courriers:template-create": row(LOGIN, DENIED, OK, DENIED, OK),
    "courriers:template-edit": row(LOGIN, DENIED, OK, DENIED, OK),
    "courriers:template-preview": everyone(GET_NOT_ALLOWED),
    "courriers:template-version": row(LOGIN, DENIED, OK, DENIED, OK),
    "courriers:seance-letters": WRITE_DOSSIERS,
    "courriers:batch": WRITE_DOSSIERS,
    "courriers:batch-zip": WRITE_DOSSIERS,
    "courriers:batch-pdf": WRITE_DOSSIERS,
    "courriers:batch-send": WRITE_DOSSIERS,
    "courriers:letter-pdf": WRITE_DOSSIERS,
    "courriers:letter-send": everyone(GET_NOT_ALLOWED),
    # The admin's own pages.
    "admin:index": admin_only(),
    # The login form is shown to a signed-in non-administrator too (saying that this account may
    # not enter, to sign in with another one).
    "admin:login": row(OK, OK, OK, OK, Redirect("/admin/")),
    # Signing out is a POST; the admin's wrapper first sends an anonymous visitor to its index.
    "admin:logout": row(Redirect("/admin/"), DENIED, DENIED, DENIED, GET_NOT_ALLOWED),
    "admin:password_change": admin_only(),
    "admin:password_change_done": admin_only(),
    # Without its query parameters the autocomplete refuses even the administrator.
    "admin:autocomplete": admin_only(DENIED),
    "admin:jsi18n": admin_only(),
    "admin:app_list": admin_only(),
    # "View on site": to the object's own page.
    "admin:view_on_site": admin_only(Redirect("http://testserver/projets/{project}/")),
    # Unknown addresses under /admin/: the login page first, then 404.
    "admin:(?P<url>.*)$": admin_only(NOT_FOUND),
    # Every registered model's pages.
    "admin:*_changelist": admin_only(),
    "admin:*_add": admin_only(),
    "admin:*_change": admin_only(),
    "admin:*_delete": admin_only(),
    "admin:*_history": admin_only(),
    # /admin/<app>/<model>/<pk>/ redirects to the object's change page.
    "admin:*_<path:object_id>/": admin_only(Redirect("/admin/")),
    # django-simple-history: one past version of an object.
    "admin:*_simple_history": admin_only(),
    # django-import-export, on the reference data's models.
    "admin:*_import": admin_only(),
    "admin:*_process_import": admin_only(GET_NOT_ALLOWED),
    "admin:*_export": admin_only(),
    # The user admin's password form.
    "admin:*_password_change": admin_only(),
}

# Where one model's admin answers differently from its family.
ADMIN_MODEL_EXCEPTIONS: dict[str, dict[str, object]] = {
    # django-axes' records of sign-in attempts are written by axes only.
    "admin:axes_accessattempt_add": admin_only(DENIED),
    "admin:axes_accesslog_add": admin_only(DENIED),
    "admin:axes_accessfailurelog_add": admin_only(DENIED),
    # A funder's decision is written by applying a comité's scenario only.
    "admin:comites_fundingdecision_add": admin_only(DENIED),
    # A dossier starts with the dossier form or the import, a status change with the workflow.
    "admin:projects_project_add": admin_only(DENIED),
    "admin:projects_statuschange_add": admin_only(DENIED),
    # A letter is generated, and sent, from the application's pages only.
    "admin:courriers_letter_add": admin_only(DENIED),
    "admin:courriers_lettersending_add": admin_only(DENIED),
    # A payment is planned, recorded and cancelled on the dossier's payments page only, where its
    # rules hold; the admin shows it read-only.
    "admin:funding_payment_add": admin_only(DENIED),
    "admin:funding_payment_delete": admin_only(DENIED),
    # A compte-rendu is entered on the dossier's page only; the admin shows it read-only.
    "admin:funding_compterendu_add": admin_only(DENIED),
    "admin:funding_compterendu_delete": admin_only(DENIED),
    "admin:funding_compterenduline_add": admin_only(DENIED),
    "admin:funding_compterenduline_delete": admin_only(DENIED),
}


# --- The URL conf, walked --------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    route: str  # the full pattern, e.g. "projets/<int:pk>/"
    name: str | None  # the full URL name, e.g. "projects:detail"
    model: type | None  # the admin's model, for the admin's per-model addresses
    key: str  # the matrix entry


def _admin_models() -> dict[str, type]:
    return {f"admin/{m._meta.app_label}/{m._meta.model_name}/": m for m in admin.site._registry}


def _walk(patterns, route="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and ":".join(n for n in (namespace, pattern.name) if n)
            yield route + str(pattern.pattern), name


def url_conf() -> list[Address]:
    models = _admin_models()
    addresses = []
    for route, name in _walk(get_resolver().url_patterns):
        model = next((m for prefix, m in models.items() if route.startswith(prefix)), None)
        if model is not None:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if name and name.startswith(prefix):
                key = "admin:*_" + name.removeprefix(prefix)
            else:
                key = "admin:*_" + route.removeprefix(
                    f"admin/{model._meta.app_label}/{model._meta.model_name}/"
                )
            if name in ADMIN_MODEL_EXCEPTIONS:
                key = name
        elif name:
            key = name
        else:
            key = "admin:" + route.removeprefix("admin/") if route.startswith("admin/") else route
        addresses.append(Address(route, name, model, key))
    return addresses


def test_every_address_has_an_entry_in_the_matrix():
    addresses = url_conf()
    assert len(addresses) > 100  # the admin is walked too
    missing = sorted({a.key for a in addresses} - MATRIX.keys() - ADMIN_MODEL_EXCEPTIONS.keys())
    assert missing == [], (
        "Nouvelle vue sans entrée dans la matrice des permissions "
        f"(tests/test_permission_matrix.py) : {missing}"
    )


def test_every_entry_of_the_matrix_is_an_address():
    keys = {a.key for a in url_conf()}
    assert sorted(MATRIX.keys() - keys) == []
    assert sorted(ADMIN_MODEL_EXCEPTIONS.keys() - keys) == []


# --- The answers -----------------------------------------------------------------------------


@pytest.fixture
def dataset(db, settings, tmp_path, monkeypatch):
    """One of each object an address can name, created once for the whole matrix."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The PDF's rendering (WeasyPrint, Chromium) is not what is tested here.
    monkeypatch.setattr("reports.bilan.render_pdf", lambda year: b"%PDF-1.7 matrice")
    monkeypatch.setattr("comites.documents.tableau_pdf", lambda scenario: b"%PDF-1.7 matrice")
    monkeypatch.setattr("comites.documents.releve_pdf", lambda seance: b"%PDF-1.7 matrice")
    monkeypatch.setattr("courriers.services.batch_combined_pdf", lambda batch: b"%PDF-1.7 matrice")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    project = ProjectFactory(status=Status.DEPOSE)
    FundingLineFactory(project=project)
    FondsDeConcoursFactory()
    Envelope.objects.create(funder=funder("anct"), year=project.year, amount=Decimal("1000.00"))
    project.indicators.create(label="Participants", expected=10)
    OperatorFactory()
    users = {}
    for role, group in GROUPS.items():
        users[role] = UserFactory(
            username=f"matrice-{role}", role=group, is_staff=role != "comite", is_superuser=role == "admin"
        )
    # So that every admin model has an object to open.
    from projects.services import project_change_status

    project_change_status(project=project, to_status=Status.EN_INSTRUCTION, user=users["agent"])
    # A séance with the dossier on its agenda, a scenario, a funder's decision (comites).
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    agenda_add_projects(seance=seance, project_ids=[project.pk])
    scenario = scenario_create(seance=seance, name="Scénario de la matrice")
    line = project.funding_lines.first()
    # A compte-rendu with a line, and a payment (their rules are the services', tested in
    # tests/funding/).
    complete_compte_rendu(project)
    Payment.objects.create(
        funding_line=line,
        kind="avance",
        planned_on=datetime.date(2021, 4, 1),
        planned_amount=Decimal("10.00"),
    )
    FundingDecision.objects.create(
        seance=seance,
        scenario=scenario,
        project=project,
        funder_id=line.funder_id,
        funding_line=line,
        decision="en_attente",
        decided_on=seance.date,
    )
    # A séance's batch with the dossier's letter, sent once (courriers).
    batch = LetterBatch.objects.create(seance=seance, created_by=users["agent"])
    letter = Letter.objects.create(
        project=project,
        template_version=LetterTemplate.objects.get(kind="notification").current_version(),
        batch=batch,
        subject="Notification",
        pdf=b"%PDF-1.7 matrice",
        pdf_sha256="0" * 64,
    )
    LetterSending.objects.create(letter=letter, recipient="porteur@example.org", status="envoye", attempts=1)
    attempt = {"ip_address": "192.0.2.1", "user_agent": "test", "path_info": "/connexion/"}
    AccessAttempt.objects.create(username="x", failures_since_start=1, get_data="", post_data="", **attempt)
    AccessLog.objects.create(username="x", **attempt)
    AccessFailureLog.objects.create(username="x", locked_out=False, **attempt)
    return {
        "project": project,
        "operator": project.operator,
        "users": users,
        "seance": seance,
        "scenario": scenario,
        "document": DocumentFactory(project=project),
        "letter": letter,
        "batch": batch,
    }


def _first(model):
    return model._default_manager.order_by("pk").first()


def url_for(address: Address, data) -> str:
    project = data["project"]
    if address.key == "admin:(?P<url>.*)$":
        return "/admin/adresse-inconnue/"
    if address.model is not None:
        obj = _first(address.model)
        assert obj is not None, f"aucun objet {address.model.__name__} pour {address.route}"
        if address.key == "admin:*_<path:object_id>/":
            meta = address.model._meta
            return f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/"
        if address.key == "admin:*_simple_history":
            history = obj.history.order_by("history_id").first()
            return reverse(address.name, args=[obj.pk, history.history_id])
        if "<path:object_id>" in address.route or "<id>" in address.route:
            key = "id" if "<id>" in address.route else "object_id"
            return reverse(address.name, kwargs={key: obj.pk})
        return reverse(address.name)
    kwargs = {
        "admin:app_list": {"app_label": "projects"},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Project).pk,
            "object_id": project.pk,
        },
        "projects:operator-detail": {"pk": data["operator"].pk},
        "projects:operator-update": {"pk": data["operator"].pk},
    }.get(address.name)
    if kwargs is None:
        kwargs = {}
        for parameter in re.findall(r"<(?:\w+:)?(\w+)>", address.route):
            kwargs[parameter] = {
                "pk": project.pk,
                "year": 2021,
                "fmt": "csv",
                "seance": data["seance"].pk,
                "scenario": data["scenario"].pk,
                "document": data["document"].pk,
                "letter": data["letter"].pk,
                "batch": data["batch"].pk,
                "kind": "notification",
                "number": 1,
            }[parameter]
    query = {"projects:export": "?format=csv", "projects:operator-search": "?q=asso"}.get(address.name, "")
    return reverse(address.name, kwargs=kwargs) + query


def answer(response) -> object:
    """The response in the matrix's terms."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/connexion/?next="):
        return LOGIN
    if location.startswith("/admin/login/?next="):
        return ADMIN_LOGIN
    return f"→ {location}"


def matches(expected, actual, data) -> bool:
    if isinstance(expected, Redirect):
        target = expected.to.format(project=data["project"].pk)
        return isinstance(actual, str) and actual.startswith(f"→ {target}")
    return expected == actual


@pytest.mark.slow
def test_every_address_answers_each_role_as_the_matrix_says(dataset):
    clients = {"anonymous": Client()}
    for role, user in dataset["users"].items():
        clients[role] = Client()
        clients[role].force_login(user)

    mismatches, checked = [], 0
    for address in url_conf():
        expected = ADMIN_MODEL_EXCEPTIONS.get(address.name) or MATRIX[address.key]
        url = url_for(address, dataset)
        for role in ROLES:
            actual = answer(clients[role].get(url))
            checked += 1
            if not matches(expected[role], actual, dataset):
                mismatches.append(f"{url} [{address.key}] {role}: attendu {expected[role]}, obtenu {actual}")
    assert checked > 500
    assert mismatches == [], "\n".join(mismatches)


# --- Writes refused: nothing written ---------------------------------------------------------


def database_state() -> dict[str, list]:
    """Every row of our apps' tables (dossiers, lines, operators, years, history...)."""
    state = {}
    for label in ("projects", "funding"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return state


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ProgrammeYear.objects.get_or_create(year=2021)
    project = ProjectFactory(status=Status.EN_INSTRUCTION, title="Titre d'origine")
    FundingLineFactory(project=project)
    users = {}
    for role in ("agent", "direction", "comite"):
        # Staff, as the demonstration's agent and direction were: it must not open the admin.
        users[role] = UserFactory(username=f"ecriture-{role}", role=GROUPS[role], is_staff=True)
    users["admin"] = UserFactory(username="ecriture-admin", role=GROUPS["admin"], is_superuser=True)
    return {"project": project, "users": users}


def _client(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


WRITES = {
    "transition": lambda w: (
        f"/projets/{w['project'].pk}/statut/",
        {"to_status": Status.ABANDONNE, "comment": "abandon"},
    ),
    # Only the direction decides: an agent's "programmer" is refused too.
    "decision": lambda w: (
        f"/projets/{w['project'].pk}/statut/",
        {"to_status": Status.PROGRAMME, "decision_date": "2021-03-15"},
    ),
    "create": lambda w: (
        "/projets/nouveau/",
        {"year": "2021", "reference": "NOUVEAU-1", "title": "Créé sans droit", "action": "brouillon"},
    ),
    "edit": lambda w: (
        f"/projets/{w['project'].pk}/modifier/",
        {"title": "Modifié sans droit", "reference": w["project"].reference, "year": "2021"},
    ),
    "texts": lambda w: (
        "/bilan/2021/textes/",
        {"action": "enregistrer", "textes-perspectives_text": "Écrit sans droit"},
    ),
    "import-confirm": lambda w: ("/projets/import/", {"action": "confirm", "token": w["token"]}),
    # The list's bulk move, confirmed: every dossier of the filter to « en instruction ».
    "bulk-status": lambda w: (
        "/projets/selection/",
        {"action": "instruction", "portee": "filtre", "filtre": "", "confirmer": "oui"},
    ),
    # The admin's change page, asked to programme the dossier and make it a focus of the bilan.
    "admin-change": lambda w: (
        f"/admin/projects/project/{w['project'].pk}/change/",
        {
            "year": "2021",
            "reference": w["project"].reference,
            "title": "Modifié dans l'administration",
            "operator": w["project"].operator_id,
            "pillar": w["project"].pillar_id,
            "theme": w["project"].theme_id,
            "status": Status.PROGRAMME,
            "decision_date": "2021-03-15",
            "is_focus": "on",
            "dossier_version": w["project"].version,
            **{
                f"{prefix}-{count}": 0
                for prefix in ("indicators", "status_changes", "funding_lines")
                for count in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    ),
    "admin-import": lambda w: (
        "/admin/projects/operator/import/",
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("porteurs.csv", ADMIN_IMPORT_FILE),
        },
    ),
}

ADMIN_IMPORT_FILE = "Identifiant;Nom;Type de porteur\n;Porteur importé sans droit;Association\n".encode()

IMPORT_FILE = (
    "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;montant_demande\n"
    "2021;IMP-1;Action importée;Association du quartier;association;cohesion_sociale;1.1;depose;anct;1000\n"
).encode()

REFUSED = [
    ("transition", "anonymous", LOGIN),
    ("transition", "comite", DENIED),
    ("decision", "anonymous", LOGIN),
    ("decision", "agent", DENIED),
    ("decision", "comite", DENIED),
    ("create", "anonymous", LOGIN),
    ("create", "comite", DENIED),
    ("edit", "anonymous", LOGIN),
    ("edit", "comite", DENIED),
    ("texts", "anonymous", LOGIN),
    ("texts", "agent", DENIED),
    ("texts", "comite", DENIED),
    ("bulk-status", "anonymous", LOGIN),
    ("bulk-status", "comite", DENIED),
    ("import-confirm", "anonymous", LOGIN),
    ("import-confirm", "comite", DENIED),
    ("admin-change", "anonymous", ADMIN_LOGIN),
    ("admin-change", "agent", DENIED),
    ("admin-change", "direction", DENIED),
    ("admin-change", "comite", DENIED),
    ("admin-import", "anonymous", ADMIN_LOGIN),
    ("admin-import", "agent", DENIED),
    ("admin-import", "direction", DENIED),
    ("admin-import", "comite", DENIED),
]


@pytest.mark.parametrize(("write", "role", "expected"), REFUSED, ids=[f"{w}-{r}" for w, r, _ in REFUSED])
def test_a_refused_write_writes_nothing(world, write, role, expected):
    # A file previewed and waiting for its confirmation, under this user's name if signed in.
    owner = world["users"].get(role, world["users"]["agent"])
    world["token"] = pending_import_store(content=IMPORT_FILE, filename="p.csv", user=owner).token
    before = database_state()
    url, data = WRITES[write](world)

    response = _client(world, role).post(url, data)

    assert answer(response) == expected
    assert database_state() == before
    assert pending_import_get(token=world["token"], user=owner) is not None


ALLOWED = [
    ("transition", "agent"),
    ("decision", "direction"),
    ("import-confirm", "agent"),
    # The administrator's save goes through, without the status (tests/projects/test_admin.py).
    ("admin-change", "admin"),
]


@pytest.mark.parametrize(("write", "role"), ALLOWED, ids=[f"{w}-{r}" for w, r in ALLOWED])
def test_the_same_write_by_a_role_that_may_goes_through(world, write, role):
    """The refusals above are the permission's, not the request's: the same request by a role
    that holds the permission writes."""
    world["token"] = pending_import_store(
        content=IMPORT_FILE, filename="p.csv", user=world["users"][role]
    ).token
    before = database_state()
    url, data = WRITES[write](world)

    response = _client(world, role).post(url, data)

    assert response.status_code == 302
    assert database_state() != before

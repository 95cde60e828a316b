"""The dossier list's bulk actions served by projects (`/projets/selection/`): move the rows
ticked, or every dossier of the list's filter, to « en instruction » after a confirmation that
says how many will change (the workflow decides, refused moves listed with its reason), and
export the selection."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from contratville import roles
from projects.models import Project, Status, StatusChange
from tests.factories import ProgrammeYearFactory, ProjectFactory, UserFactory, pillar, quartier

pytestmark = pytest.mark.django_db

URL = "/projets/selection/"


def user_in(*groups):
    user = UserFactory()
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def agent_client(client):
    client.force_login(user_in(roles.AGENT))
    return client


@pytest.fixture
def dossiers():
    ProgrammeYearFactory(year=2021)
    ProgrammeYearFactory(year=2022)

    def make(reference, status, *, year=2021, pillar_code="cohesion_sociale"):
        return ProjectFactory(
            reference=reference,
            title=f"Action {reference}",
            year_id=year,
            status=status,
            pillar=pillar(pillar_code),
        )

    return {
        "A": make("A", Status.DEPOSE),
        "B": make("B", Status.DEPOSE, pillar_code="emploi"),
        "C": make("C", Status.PROGRAMME),
        "D": make("D", Status.BROUILLON),
        "E": make("E", Status.REFUSE, pillar_code="emploi"),
        "F": make("F", Status.DEPOSE, year=2022),
    }


def statuses() -> dict[str, str]:
    return dict(Project.objects.values_list("reference", "status"))


def ticked(*projects, **extra):
    return {
        "action": "instruction",
        "filtre": "annee=2021",
        "dossier": [str(p.pk) for p in projects],
        **extra,
    }


# The list ---------------------------------------------------------------------------------------


def test_the_list_offers_a_labelled_checkbox_per_row_and_the_bulk_form(agent_client, dossiers):
    response = agent_client.get("/projets/?annee=2021&pilier=emploi&quartier=QN06208M&quartier=QP062008")
    # No dossier in that quartier: no table, hence no bulk form.
    assert 'id="action-groupee"' not in response.content.decode()
    dossiers["A"].quartiers.add(quartier("QP062008"))
    html = agent_client.get("/projets/?pilier=cohesion_sociale&annee=2021&quartier=QN06208M").content.decode()
    a = dossiers["A"]
    assert (
        f'<input type="checkbox" name="dossier" value="{a.pk}" id="choix-{a.pk}" form="action-groupee">'
        f'<label for="choix-{a.pk}" class="visually-hidden">Choisir le dossier A</label>'
    ) in html
    assert '<form method="post" action="/projets/selection/" id="action-groupee"' in html
    # "Every dossier of this filter" is the filter's canonical address, never a list of ids.
    assert (
        '<input type="hidden" name="filtre" value="annee=2021&amp;pilier=cohesion_sociale&amp;quartier=QP062008">'
        in html
    )
    assert 'formaction="/comites/ajout-a-l-ordre-du-jour/"' in html
    assert 'value="instruction">Passer en instruction…</button>' in html
    assert '<script src="/static/js/dossier-selection.js" defer></script>' in html


def test_a_role_without_bulk_action_sees_no_checkbox(client, dossiers):
    reader = UserFactory()
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(reader)
    html = client.get("/projets/").content.decode()
    assert "action-groupee" not in html and 'name="dossier"' not in html


# Moving to « en instruction » ---------------------------------------------------------------


def test_the_confirmation_says_how_many_will_change_and_why_the_others_wont(agent_client, dossiers):
    before = statuses()
    d = dossiers
    response = agent_client.post(URL, ticked(d["A"], d["B"], d["C"], d["D"], d["E"]))
    assert response.status_code == 200
    assert statuses() == before and not StatusChange.objects.exists()
    preview = response.context["preview"]
    assert [p.reference for p in preview.moved] == ["A", "B", "E"]  # E: a refusal examined again
    assert [(p.reference, reason) for p, reason in preview.refused] == [
        ("C", "Un dossier au statut « Programmé » ne peut pas passer au statut « En instruction »."),
        ("D", "Un dossier au statut « Brouillon » ne peut pas passer au statut « En instruction »."),
    ]
    html = response.content.decode()
    assert "<h1>Passer les 5 dossiers cochés au statut « En instruction »</h1>" in html
    assert (
        "<strong>3</strong> dossiers passeront au statut « En instruction » ; <strong>2</strong> ne le peuvent pas."
        in html
    )
    assert "Passer 3 dossiers au statut « En instruction »</button>" in html
    # The confirmation carries the selection, not the dossiers it found.
    for p in (d["A"], d["B"], d["C"], d["D"], d["E"]):
        assert f'<input type="hidden" name="dossier" value="{p.pk}">' in html


def test_confirmed_the_moves_go_through_the_workflow_and_the_refused_are_listed(agent_client, dossiers):
    d = dossiers
    response = agent_client.post(URL, ticked(d["A"], d["C"], d["E"], confirmer="oui"))
    assert response.status_code == 200
    after = statuses()
    assert (after["A"], after["E"], after["C"]) == (
        Status.EN_INSTRUCTION,
        Status.EN_INSTRUCTION,
        Status.PROGRAMME,
    )
    changes = StatusChange.objects.order_by("project__reference")
    assert [(c.project.reference, c.from_status, c.to_status) for c in changes] == [
        ("A", Status.DEPOSE, Status.EN_INSTRUCTION),
        ("E", Status.REFUSE, Status.EN_INSTRUCTION),
    ]
    assert all(c.comment == "Changement groupé depuis la liste des dossiers" for c in changes)
    assert changes[0].changed_by == response.wsgi_request.user
    assert d["A"].history.latest().history_user == response.wsgi_request.user
    html = response.content.decode()
    assert "2 dossiers passés au statut « En instruction »." in html
    assert "Un dossier au statut « Programmé » ne peut pas passer au statut « En instruction »." in html


def test_every_dossier_of_the_filter_is_the_filter_read_again(agent_client, dossiers):
    # The ids ticked are ignored: it is the filter's dossiers, as they are now.
    data = {
        "action": "instruction",
        "portee": "filtre",
        "filtre": "annee=2021&statut=depose",
        "dossier": [str(dossiers["C"].pk)],
    }
    preview = agent_client.post(URL, data).context["preview"]
    assert [p.reference for p in preview.moved] == ["A", "B"] and preview.refused == []
    assert "les 2 dossiers du filtre" in agent_client.post(URL, data).content.decode()
    agent_client.post(URL, {**data, "confirmer": "oui"})
    assert statuses() == {"A": "en_instruction", "B": "en_instruction", "C": "programme", "D": "brouillon",
                          "E": "refuse", "F": "depose"}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"filtre": "annee=2021&pilier=emplio", "portee": "filtre"}, "Pilier inconnu : « emplio »"),
        ({"filtre": "annee=2021"}, "Aucun dossier coché : cochez les dossiers voulus dans la liste"),
        (
            {"filtre": "annee=2021", "dossier": ["99999999999999999999999"]},
            "n'est pas un identifiant de dossier",
        ),
        ({"filtre": "annee=2021", "dossier": ["1\x00"]}, "n'est pas un identifiant de dossier"),
        ({"filtre": "annee=2030", "portee": "filtre"}, "Aucun dossier ne correspond à ce filtre"),
        ({"filtre": "q=\x00"}, "Le filtre de la liste n'est pas valide"),
    ],
)
def test_an_invalid_selection_changes_nothing_and_says_why_on_the_list(agent_client, dossiers, data, message):
    before = statuses()
    response = agent_client.post(URL, {"action": "instruction", "confirmer": "oui", **data}, follow=True)
    assert statuses() == before
    assert response.redirect_chain[0][0].startswith("/projets/")
    assert any(message in str(m) for m in response.context["messages"]), list(response.context["messages"])


def test_a_selection_has_a_bound(agent_client, dossiers, monkeypatch):
    monkeypatch.setattr("projects.selection.MAX_DOSSIERS", 2)
    response = agent_client.post(
        URL, {"action": "instruction", "portee": "filtre", "filtre": "annee=2021"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Une action groupée porte sur 2 dossiers au plus ; celle-ci en compte 5 : affinez le filtre."
    ]


def test_a_dossier_ticked_then_deleted_is_listed(agent_client, dossiers):
    gone = dossiers["B"].pk
    Project.objects.filter(pk=gone).delete()
    response = agent_client.post(
        URL, {"action": "instruction", "filtre": "", "dossier": [dossiers["A"].pk, gone]}
    )
    assert response.context["missing"] == [gone]
    assert f"n° {gone} : ce dossier n'existe pas." in response.content.decode()


# Export ---------------------------------------------------------------------------------------


def test_the_selection_exports_as_the_list_does(agent_client, dossiers):
    d = dossiers
    response = agent_client.post(
        URL,
        {"action": "exporter", "format": "csv", "filtre": "annee=2021", "dossier": [d["E"].pk, d["A"].pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="programmation-selection-2021-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    references = [row[header.index("numero_dossier")] for row in rows[1:]]
    assert sorted(set(references)) == ["A", "E"]
    whole = agent_client.post(
        URL, {"action": "exporter", "format": "csv", "portee": "filtre", "filtre": "annee=2021&pilier=emploi"}
    )
    rows = list(csv.reader(io.StringIO(whole.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted({row[header.index("numero_dossier")] for row in rows[1:]}) == ["B", "E"]
    assert (
        agent_client.post(URL, {"action": "exporter", "format": "pdf", "dossier": [d["A"].pk]}).status_code
        == 400
    )


# Who may ------------------------------------------------------------------------------------------


def test_only_agents_and_the_direction_take_bulk_actions(client, dossiers):
    data = ticked(dossiers["A"], confirmer="oui")
    before = statuses()
    assert client.post(URL, data).status_code == 302  # to sign in
    client.force_login(user_in(roles.COMITE))
    assert client.post(URL, data).status_code == 403
    assert client.post(URL, {**data, "action": "exporter", "format": "csv"}).status_code == 403
    assert statuses() == before
    client.force_login(user_in(roles.DIRECTION))
    assert client.get(URL).status_code == 405
    assert client.post(URL, {**data, "action": "supprimer"}).status_code == 400
    assert client.post(URL, data).status_code == 200
    assert statuses()["A"] == Status.EN_INSTRUCTION

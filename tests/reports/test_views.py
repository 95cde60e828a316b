"""Who may open the home page and the bilan's JSON."""

import pytest
from django.contrib.auth.models import Group

from contratville import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_roles_exist_after_migrate_with_their_permissions(user_in):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    agent = user_in(roles.AGENT)
    direction = user_in(roles.DIRECTION)
    comite = user_in(roles.COMITE)
    assert agent.has_perms(["projects.add_project", "projects.import_projects", "projects.export_projects"])
    assert not agent.has_perm("projects.decide_project")
    assert direction.has_perms(["projects.decide_project", "projects.change_bilan_texts"])
    assert comite.has_perm("projects.view_bilan")
    assert not comite.has_perm("projects.change_project")
    assert not comite.has_perm("projects.view_project")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/"
    response = client.get("/bilan/2021.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_the_login_page_is_french_and_signs_in(client):
    UserFactory(username="camille")
    page = client.get("/connexion/")
    assert page.status_code == 200
    assert "Mot de passe" in page.content.decode()
    bad = client.post("/connexion/", {"username": "camille", "password": "faux"})
    assert "Identifiant ou mot de passe incorrect" in bad.content.decode()
    good = client.post("/connexion/", {"username": "camille", "password": "mot-de-passe-de-test"})
    assert good.status_code == 302 and good["Location"] == "/"


@pytest.mark.parametrize(
    "group, expected", [(roles.COMITE, 200), (roles.AGENT, 200), (roles.DIRECTION, 200), (None, 403)]
)
def test_the_bilan_json_needs_the_view_bilan_permission(client, group, expected, user_in):
    user = user_in(group) if group else UserFactory()
    client.force_login(user)
    response = client.get("/bilan/2021.json")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["year"] == 2021
        assert response["Content-Type"] == "application/json"


def test_the_header_shows_the_year_without_a_thousands_separator(client, user_in):
    from tests.factories import ProjectFactory

    ProjectFactory(year__year=2021)
    client.force_login(user_in(roles.COMITE))
    html = client.get("/", follow=True).content.decode()
    assert "Programmation 2021" in html
    assert "2\u00a0021" not in html and "2\u202f021" not in html and "2 021" not in html

"""Who enters the Django admin (contratville/admin_site.py): administrators only, that is active
accounts that are superusers or in the « Administrateurs » group; `is_staff` grants nothing.
Every other signed-in user gets the French 403 page, never a loop through the login page."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from contratville import roles
from projects.admin import OperatorAdmin
from projects.models import Operator, Project
from tests.factories import OperatorFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_a_member_of_the_administrators_group_enters_without_staff_status(client, user_in):
    administrator = user_in(roles.ADMINISTRATEUR, is_staff=False, is_superuser=False)
    project = ProjectFactory()
    client.force_login(administrator)

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(change_url(project)).status_code == 200


def test_a_superuser_enters(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=False))

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("group", [roles.AGENT, roles.DIRECTION, roles.COMITE, None])
def test_a_staff_account_without_the_administrators_role_is_refused_with_the_403_page(client, group, user_in):
    # As the demonstration's agent and direction were before: staff, with change_project.
    user = user_in(group, is_staff=True)
    project = ProjectFactory()
    client.force_login(user)

    for url in (reverse("admin:index"), change_url(project), reverse("admin:projects_project_changelist")):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.text


def test_the_403_is_logged_as_a_refused_access(client, caplog, user_in):
    client.force_login(user_in(roles.AGENT))

    with caplog.at_level("WARNING", logger="contratville.security"):
        client.get(reverse("admin:index"))

    assert any("/admin/" in record.getMessage() for record in caplog.records)


def test_a_signed_in_agent_is_not_sent_to_the_admin_login_page(client, user_in):
    """No loop: the admin's index answers 403, it does not redirect to a login page that would
    send the agent back."""
    client.force_login(user_in(roles.AGENT))

    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain == []
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_admin_login_page(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_inactive_superuser_is_no_administrator():
    assert not roles.is_administrator(UserFactory(is_superuser=True, is_active=False))


def test_the_administrators_group_is_what_makes_an_administrator(user_in):
    agent = user_in(roles.AGENT, is_staff=True)
    administrator = user_in(roles.ADMINISTRATEUR)

    assert (roles.is_administrator(agent), roles.is_administrator(administrator)) == (False, True)


def test_the_admin_login_form_signs_in_an_administrator_without_staff_status(client, user_in):
    administrator = user_in(roles.ADMINISTRATEUR, username="alex", password=PASSWORD)

    response = client.post(reverse("admin:login"), {"username": "alex", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(administrator.pk)


@pytest.mark.parametrize("group", [roles.AGENT, roles.DIRECTION])
def test_the_admin_login_form_refuses_anyone_else_even_with_the_right_password(client, group, user_in):
    user_in(group, username="camille", password=PASSWORD, is_staff=True)

    response = client.post(reverse("admin:login"), {"username": "camille", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Veuillez compléter correctement les champs" in response.text


def test_the_import_and_export_are_refused_to_a_non_administrator_even_inside_the_admin(user_in):
    """Defence in depth: the model admin's own checks refuse too, whatever the site lets in."""
    model_admin = OperatorAdmin(Operator, None)
    request = RequestFactory().get("/")
    request.user = user_in(roles.DIRECTION, is_staff=True)
    assert not model_admin.has_import_permission(request)
    assert not model_admin.has_export_permission(request)
    request.user = user_in(roles.ADMINISTRATEUR)
    assert model_admin.has_import_permission(request)
    assert model_admin.has_export_permission(request)


def test_every_registered_model_change_page_is_refused_to_the_direction(client, user_in):
    """The direction holds change permissions on dossiers, years, fonds de concours: none opens
    their admin pages."""
    from django.contrib import admin

    client.force_login(user_in(roles.DIRECTION, is_staff=True))
    OperatorFactory()
    ProjectFactory()
    refused = []
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        response = client.get(change_url(obj))
        if response.status_code != 403:
            refused.append((model.__name__, response.status_code))
    assert refused == []
    assert Project.objects.exists()

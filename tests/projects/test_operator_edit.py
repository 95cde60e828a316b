"""A porteur's edit page: agents and the direction correct a porteur's identity and contact;
a form opened before someone else's save never overwrites it."""

import html

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from contratville import roles
from projects.models import Operator, OperatorKind
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID_SIRET = "73282932000074"


def _signed_in(client, group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


def _form(operator, **changes):
    data = {
        "name": operator.name,
        "kind": operator.kind,
        "siret": operator.siret,
        "commune": operator.commune_id or "",
        "email": operator.email,
        "phone": operator.phone,
        "seen_updated_at": operator.updated_at.isoformat(),
    }
    data.update(changes)
    return data


def _url(operator):
    return reverse("projects:operator-update", args=[operator.pk])


@pytest.mark.parametrize("group", [roles.AGENT, roles.DIRECTION])
def test_agents_and_direction_correct_a_porteur(client, group):
    user = _signed_in(client, group)
    operator = OperatorFactory(name="Asso des Habitants", email="")

    response = client.post(
        _url(operator),
        _form(
            operator,
            name="  Association   des habitants ",
            email="contact@habitants.example.org",
            siret="732 829 320 00074",
        ),
    )

    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:operator-detail", args=[operator.pk]
    )
    operator.refresh_from_db()
    assert (operator.name, operator.email, operator.siret) == (
        "Association des habitants",
        "contact@habitants.example.org",
        VALID_SIRET,
    )
    record = operator.history.latest()
    assert (record.history_user, record.history_change_reason) == (user, "Modification du porteur")


def test_the_comite_may_not_edit_a_porteur(client):
    _signed_in(client, roles.COMITE)
    operator = OperatorFactory(name="Inchangé")

    assert client.get(_url(operator)).status_code == 403
    assert client.post(_url(operator), _form(operator, name="Changé")).status_code == 403
    operator.refresh_from_db()
    assert operator.name == "Inchangé"


def test_a_form_opened_before_another_save_is_refused_and_writes_nothing(client):
    _signed_in(client, roles.AGENT)
    operator = OperatorFactory(name="Centre social")
    opened = _form(operator, name="Centre social Jean Jaurès")
    # A colleague saves first.
    Operator.objects.filter(pk=operator.pk).update(phone="03 21 00 00 00")
    operator.refresh_from_db()
    operator.save()

    response = client.post(_url(operator), opened)

    assert response.status_code == 409
    assert "a été modifié par quelqu'un d'autre" in html.unescape(response.text)
    operator.refresh_from_db()
    assert (operator.name, operator.phone) == ("Centre social", "03 21 00 00 00")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siret": "1234"}, "siret", "14 chiffres"),
        ({"email": "pas une adresse"}, "email", "adresse de courriel valide"),
        ({"name": ""}, "name", "obligatoire"),
        ({"kind": "club"}, "kind", "club"),
    ],
)
def test_bad_values_are_refused_next_to_their_field_in_french(client, changes, field, message):
    _signed_in(client, roles.AGENT)
    operator = OperatorFactory(name="Maison de quartier", kind=OperatorKind.ASSOCIATION)

    response = client.post(_url(operator), _form(operator, **changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    operator.refresh_from_db()
    assert operator.name == "Maison de quartier"


def test_a_siret_already_held_by_another_porteur_is_refused(client):
    _signed_in(client, roles.AGENT)
    OperatorFactory(name="Premier", siret=VALID_SIRET)
    second = OperatorFactory(name="Second")

    response = client.post(_url(second), _form(second, siret=VALID_SIRET))

    assert response.context["form"].errors["siret"] == [f"Un autre porteur a déjà le SIRET {VALID_SIRET}."]


def test_the_porteur_page_offers_the_edit_link_to_those_who_may(client):
    _signed_in(client, roles.AGENT)
    operator = OperatorFactory()

    page = client.get(reverse("projects:operator-detail", args=[operator.pk]))

    assert _url(operator) in page.text

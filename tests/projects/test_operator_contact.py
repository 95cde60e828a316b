"""A porteur's contact details for its letters (`/porteurs/<id>/modifier/`): contact e-mail,
postal address, representative; validated, recorded in the audit trail."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from contratville import roles
from projects.models import Operator
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "email": "contact@asso.example.org",
    "phone": "03 21 00 00 00",
    "address_line": "12 rue des Écoles",
    "address_complement": "Bâtiment B",
    "postal_code": "62400",
    "city": "Béthune",
    "representative_name": "Mme Claire Vasseur",
    "representative_title": "Présidente",
}


def identity(operator) -> dict:
    """The rest of the porteur's form, as the page shows it (the form edits the whole porteur)."""
    return {
        "name": operator.name,
        "kind": operator.kind,
        "siret": operator.siret,
        "commune": operator.commune_id or "",
        "seen_updated_at": operator.updated_at.isoformat(),
    }


def client_in(role: str) -> Client:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_completes_a_porteurs_contact_details():
    operator = OperatorFactory(name="Association des habitants")

    response = client_in(roles.AGENT).post(
        f"/porteurs/{operator.pk}/modifier/", {**identity(operator), **VALID}
    )

    assert response.status_code == 302 and response["Location"] == f"/porteurs/{operator.pk}/"
    operator.refresh_from_db()
    assert operator.email == "contact@asso.example.org"
    assert operator.postal_address_lines == ["12 rue des Écoles", "Bâtiment B", "62400 BÉTHUNE"]
    assert (operator.representative_name, operator.representative_title) == (
        "Mme Claire Vasseur",
        "Présidente",
    )
    assert operator.history.first().email == "contact@asso.example.org"
    page = client_in(roles.AGENT).get(f"/porteurs/{operator.pk}/").content.decode()
    assert "62400 BÉTHUNE" in page and "Mme Claire Vasseur, Présidente" in page


def test_a_wrong_email_or_postal_code_is_refused_in_french_and_nothing_saved():
    operator = OperatorFactory(email="ancien@example.org")

    response = client_in(roles.AGENT).post(
        f"/porteurs/{operator.pk}/modifier/",
        {**identity(operator), **VALID, "email": "pas-un-courriel", "postal_code": "624"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse de courriel valide." in page
    assert "Le code postal doit comporter 5 chiffres." in page
    assert Operator.objects.get(pk=operator.pk).email == "ancien@example.org"


def test_the_comite_cannot_change_a_porteur():
    operator = OperatorFactory(email="ancien@example.org")
    client = client_in(roles.COMITE)
    assert client.get(f"/porteurs/{operator.pk}/modifier/").status_code == 403
    assert (
        client.post(f"/porteurs/{operator.pk}/modifier/", {**identity(operator), **VALID}).status_code == 403
    )
    assert Operator.objects.get(pk=operator.pk).email == "ancien@example.org"

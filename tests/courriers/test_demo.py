"""The demonstration's porteurs have fictitious contact details for their letters, and its
figures are unchanged."""

import io

import pytest
from django.core.management import call_command

from courriers import services
from courriers.models import LetterTemplate
from projects.models import Operator, Project

pytestmark = pytest.mark.django_db


def test_every_demonstration_porteur_can_receive_its_letters(settings, tmp_path):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    operators = list(Operator.objects.all())
    assert len(operators) > 50
    for operator in operators:
        assert operator.email.endswith("@example.org"), operator.name
        assert operator.postal_code.startswith("62") and operator.city and operator.address_line
        assert operator.representative_name and operator.representative_title
    assert Operator.objects.get(name="Ville de Béthune").representative_title == "Maire"
    assert Operator.objects.get(name="Ville de Béthune").postal_code == "62400"

    project = Project.objects.get(year=2021, reference="PV2021-001")
    _version, _rendered, pdf = services.render_pdf(
        project=project, template=LetterTemplate.objects.get(kind="notification")
    )
    assert pdf.startswith(b"%PDF-")

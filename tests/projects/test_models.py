"""What the database itself refuses, and the reference data every fresh database holds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import Commune, Funder, FundingLine, Nature, Pillar, Project, Quartier, Status, Theme
from tests.factories import FondsDeConcoursFactory, FundingLineFactory, ProjectFactory, funder, pillar, theme

pytestmark = pytest.mark.django_db


def test_reference_data_is_in_every_fresh_database():
    assert list(Pillar.objects.values_list("code", flat=True)) == [
        "cohesion_sociale",
        "cadre_de_vie",
        "emploi",
        "pilotage",
    ]
    assert Theme.objects.count() == 14
    assert Theme.objects.get(code="2.1").pillar.code == "emploi"
    assert Commune.objects.count() == 100
    assert Commune.objects.get(insee_code="62119").name == "Béthune"
    assert Quartier.objects.filter(kind="qpv").count() == 16
    mont_liebaut = Quartier.objects.get(code_2015="QP062008")
    assert mont_liebaut.code_2024 == "QN06208M"
    assert [c.name for c in mont_liebaut.communes.all()] == ["Béthune"]
    assert Funder.objects.count() == 12
    specific = set(Funder.objects.filter(default_nature=Nature.SPECIFIQUE).values_list("code", flat=True))
    assert specific == {"anct", "cabbalr_fcs"}


def test_natural_keys_of_reference_data():
    assert Pillar.objects.get_by_natural_key("emploi").natural_key() == ("emploi",)
    assert Theme.objects.get_by_natural_key("1.5").natural_key() == ("1.5",)
    assert Funder.objects.get_by_natural_key("caf").natural_key() == ("caf",)
    assert Quartier.objects.get_by_natural_key("QN06211M").code_2015 == "QP062011"
    assert Commune.objects.get_by_natural_key("62178").name == "Bruay-La-Buissière"


def test_a_reference_is_unique_within_its_year_only():
    ProjectFactory(reference="A-1", year__year=2021)
    ProjectFactory(reference="A-1", year__year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(reference="A-1", year__year=2021)


def test_the_database_refuses_a_negative_amount():
    line = FundingLineFactory()
    line.amount_granted = Decimal("-0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()
    line.amount_granted = None
    line.amount_requested = Decimal("-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_the_database_refuses_a_negative_budget_and_fonds_de_concours():
    project = ProjectFactory()
    project.budget = Decimal("-5")
    with pytest.raises(IntegrityError), transaction.atomic():
        project.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        FondsDeConcoursFactory(amount=Decimal("-1"))


def test_full_clean_refuses_a_theme_of_another_pillar():
    project = ProjectFactory.build(pillar=pillar("emploi"), theme=theme("1.1"))
    project.year.save()
    project.operator.save()
    with pytest.raises(ValidationError) as info:
        project.full_clean()
    assert info.value.message_dict["theme"] == [
        "La thématique 1.1 n'appartient pas au pilier Emploi et développement économique."
    ]


def test_full_clean_names_the_negative_amount_in_french():
    line = FundingLineFactory.build(project=ProjectFactory(), amount_requested=Decimal("-3"))
    with pytest.raises(ValidationError) as info:
        line.full_clean()
    assert "amount_requested" in info.value.message_dict


def test_a_line_without_nature_takes_its_funders_default():
    line = FundingLine(project=ProjectFactory(), funder=funder("cabbalr_fcs"), amount_requested=Decimal("10"))
    line.save()
    assert line.nature == Nature.SPECIFIQUE
    line = FundingLine(project=line.project, funder=funder("caf"), amount_requested=Decimal("10"))
    line.save()
    assert line.nature == Nature.DROIT_COMMUN


def test_programmed_and_filed_follow_the_domain_definitions():
    for status in Status.values:
        ProjectFactory(status=status)
    assert set(Project.objects.programmed().values_list("status", flat=True)) == {
        "programme",
        "justifie",
        "solde",
    }
    assert Project.objects.filed().count() == len(Status.values) - 1
    assert not Project.objects.filed().filter(status="brouillon").exists()


def test_a_quartier_needs_a_code():
    with pytest.raises(IntegrityError), transaction.atomic():
        Quartier.objects.create(kind="veille", name="Sans code")

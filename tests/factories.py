"""Factories for the domain, with French fake data. Reference data (piliers, thématiques,
communes, quartiers, funders) comes from the migrations: factories look it up, never create it."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from funding.models import FondsDeConcours
from projects.models import (
    Commune,
    Funder,
    FundingLine,
    Nature,
    Operator,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Quartier,
    Status,
    Theme,
)

factory.Faker._DEFAULT_LOCALE = "fr_FR"


def pillar(code: str = "cohesion_sociale") -> Pillar:
    return Pillar.objects.get(code=code)


def theme(code: str = "1.1") -> Theme:
    return Theme.objects.get(code=code)


def funder(code: str = "anct") -> Funder:
    return Funder.objects.get(code=code)


def quartier(code: str = "QP062004") -> Quartier:
    return Quartier.objects.get_by_natural_key(code)


def commune(insee_code: str = "62119") -> Commune:
    return Commune.objects.get(insee_code=insee_code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    password = factory.django.Password("mot-de-passe-de-test")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """`UserFactory(role=roles.AGENT)`: the user in that role's group; a list or tuple of
        group names puts the user in each. The groups come from the migrations."""
        if not extracted:
            return
        names = [extracted] if isinstance(extracted, str) else list(extracted)
        user.groups.add(*(Group.objects.get(name=name) for name in names))


class ProgrammeYearFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeYear
        django_get_or_create = ("year",)

    year = 2021


class OperatorFactory(DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"Association des habitants n° {n}")
    kind = OperatorKind.ASSOCIATION
    siret = ""


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    year = factory.SubFactory(ProgrammeYearFactory)
    reference = factory.Sequence(lambda n: f"D{n:05d}")
    title = factory.Faker("sentence", nb_words=5)
    operator = factory.SubFactory(OperatorFactory)
    pillar = factory.LazyFunction(pillar)
    theme = factory.LazyFunction(theme)
    status = Status.PROGRAMME


class FundingLineFactory(DjangoModelFactory):
    class Meta:
        model = FundingLine

    project = factory.SubFactory(ProjectFactory)
    funder = factory.LazyFunction(funder)
    nature = factory.LazyAttribute(lambda line: line.funder.default_nature)
    amount_requested = Decimal("1000.00")
    amount_granted = factory.LazyAttribute(lambda line: line.amount_requested)


class FondsDeConcoursFactory(DjangoModelFactory):
    class Meta:
        model = FondsDeConcours

    year = factory.SubFactory(ProgrammeYearFactory)
    commune = factory.LazyFunction(commune)
    project_title = factory.Faker("sentence", nb_words=4)
    amount = Decimal("10000.00")


__all__ = ["Nature"]


def complete_compte_rendu(project, user=None):
    """A compte-rendu financier that lets the dossier move to `justifie` (received, assessed,
    with actual charges), written directly: its rules are tested in tests/funding/test_compte_rendu.py."""
    import datetime
    from decimal import Decimal

    from funding.models import CompteRendu

    compte_rendu = CompteRendu.objects.create(
        project=project, received_on=datetime.date(2022, 5, 2), assessment="Action menée.", updated_by=user
    )
    compte_rendu.lines.create(account="60", planned=Decimal("100"), actual=Decimal("100"))
    return compte_rendu

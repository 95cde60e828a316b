"""No lost update: the dossier form carries the version it was opened with, and a save based on
an older version than the stored one is refused, with the other person's values shown, the
user's kept, and nothing overwritten."""

import re
from decimal import Decimal

import pytest

from contratville import roles
from projects.imports.service import programmation_import
from projects.models import FundingLine, Operator, Project, Status
from projects.services import StaleProjectError, project_save_with_lines
from tests.factories import FundingLineFactory, OperatorFactory, ProjectFactory, funder
from tests.projects.page_forms import form_fields, post_data

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def alice(user_in):
    return user_in(roles.AGENT, username="alice", first_name="Alice", last_name="Durand")


@pytest.fixture
def bruno(user_in):
    return user_in(roles.AGENT, username="bruno", first_name="Bruno", last_name="Lefebvre")


@pytest.fixture
def project():
    project = ProjectFactory(
        year__year=2024,
        reference="2024-007",
        title="Ateliers d'inclusion numérique",
        operator=OperatorFactory(name="Maison de quartier du Mont-Liébaut"),
        status=Status.EN_INSTRUCTION,
        budget=Decimal("5000.00"),
    )
    FundingLineFactory(
        project=project,
        funder=funder("anct"),
        amount_requested=Decimal("3000.00"),
        amount_granted=Decimal("2500.00"),
        position=0,
    )
    FundingLineFactory(
        project=project,
        funder=funder("caf"),
        amount_requested=Decimal("2000.00"),
        amount_granted=None,
        position=1,
    )
    return project


def _open(client, project) -> dict[str, list[str]]:
    response = client.get(f"/projets/{project.pk}/modifier/")
    assert response.status_code == 200
    return form_fields(response.content.decode())


def _text(html: str) -> str:
    """The page's text, tags removed, entities of quotes decoded, every space (no-break ones
    included) a plain one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&quot;", '"')


def test_the_edit_form_carries_the_version_it_was_opened_with(alice, project, client_of):
    fields = _open(client_of(alice), project)
    assert fields["version"] == ["1"]


def test_the_second_save_of_two_people_is_refused_and_the_first_kept(alice, bruno, project, client_of):
    a, b = client_of(alice), client_of(bruno)
    a_fields, b_fields = _open(a, project), _open(b, project)

    response = a.post(
        f"/projets/{project.pk}/modifier/",
        post_data(
            a_fields, title="Ateliers numériques pour les seniors", **{"lignes-0-amount_granted": "2 800"}
        ),
    )
    assert response.status_code == 302

    response = b.post(
        f"/projets/{project.pk}/modifier/",
        post_data(
            b_fields,
            title="Ateliers numériques pour les familles",
            budget="6 000",
            **{"lignes-0-amount_granted": "3 000"},
        ),
    )

    # Refused, with a clear French message naming who saved meanwhile.
    assert response.status_code == 409
    page = response.content.decode()
    text = _text(page)
    assert (
        "Ce dossier a été modifié par Alice Durand le " in text
        and " pendant que vous le modifiiez : vos changements n'ont pas été enregistrés." in text
    )
    # Nothing of B's was written: the database holds A's values.
    project.refresh_from_db()
    assert project.title == "Ateliers numériques pour les seniors"
    assert project.budget == Decimal("5000.00")
    assert project.version == 2
    assert list(project.funding_lines.order_by("position").values_list("amount_granted", flat=True)) == [
        Decimal("2800.00"),
        None,
    ]
    # B's typed values are kept in the form...
    shown = form_fields(page)
    assert shown["title"] == ["Ateliers numériques pour les familles"]
    assert shown["budget"] == ["6 000"]
    assert shown["lignes-0-amount_granted"] == ["3 000"]
    # ...and A's, now stored, are shown where they differ.
    differences = re.search(r'<table id="conflict-differences">(.*?)</table>', page, re.S).group(1)
    assert "Valeur actuelle enregistrée" in differences and "Votre saisie" in differences
    assert re.search(
        r"Intitulé de l&#x27;action</th>\s*<td>Ateliers numériques pour les seniors</td><td>Ateliers numériques pour les familles</td>",
        differences,
    )
    assert f"<td>5{NBSP}000,00{NBSP}€</td><td>6{NBSP}000,00{NBSP}€</td>" in differences
    current_lines = _text(re.search(r'<table id="conflict-lines">(.*?)</table>', page, re.S).group(1))
    assert "3 000,00 € 2 800,00 €" in current_lines and "CAF Droit commun 2 000,00 € —" in current_lines
    # What A changed, from the journal.
    assert "Modifications enregistrées depuis l'ouverture de votre formulaire" in text
    assert "Intitulé : Ateliers d'inclusion numérique → Ateliers numériques pour les seniors" in text
    assert "accordé 2 500,00 € → 2 800,00 €" in text


def test_after_a_refusal_a_reload_saves(alice, bruno, project, client_of):
    a, b = client_of(alice), client_of(bruno)
    a_fields, b_fields = _open(a, project), _open(b, project)
    a.post(f"/projets/{project.pk}/modifier/", post_data(a_fields, title="Titre d'Alice"))
    assert (
        b.post(f"/projets/{project.pk}/modifier/", post_data(b_fields, title="Titre de Bruno")).status_code
        == 409
    )

    reloaded = _open(b, project)
    assert reloaded["title"] == ["Titre d'Alice"] and reloaded["version"] == ["2"]
    response = b.post(f"/projets/{project.pk}/modifier/", post_data(reloaded, title="Titre de Bruno"))

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.version) == ("Titre de Bruno", 3)


def test_the_refused_form_saved_again_replaces_the_values_knowingly(alice, bruno, project, client_of):
    a, b = client_of(alice), client_of(bruno)
    a_fields, b_fields = _open(a, project), _open(b, project)
    a.post(f"/projets/{project.pk}/modifier/", post_data(a_fields, title="Titre d'Alice"))
    refused = b.post(f"/projets/{project.pk}/modifier/", post_data(b_fields, title="Titre de Bruno"))

    # The refused form carries the stored version: saving it again, having compared, is a choice.
    again = form_fields(refused.content.decode())
    assert again["version"] == ["2"]
    assert b.post(f"/projets/{project.pk}/modifier/", post_data(again)).status_code == 302
    project.refresh_from_db()
    assert project.title == "Titre de Bruno"


def test_a_transition_made_after_the_form_was_opened_makes_its_save_stale(bruno, project, user_in, client_of):
    b = client_of(bruno)
    b_fields = _open(b, project)
    direction = client_of(user_in(roles.DIRECTION, first_name="Dominique", last_name="Roux"))
    response = direction.post(
        f"/projets/{project.pk}/statut/",
        {"to_status": Status.PROGRAMME, "decision_date": "2024-03-28", "comment": "Comité du 28 mars"},
    )
    assert response.status_code == 302

    response = b.post(f"/projets/{project.pk}/modifier/", post_data(b_fields, title="Titre de Bruno"))

    assert response.status_code == 409
    text = _text(response.content.decode())
    assert "Ce dossier a été modifié par Dominique Roux le " in text
    assert "Statut : En instruction → Programmé" in text
    project.refresh_from_db()
    assert (project.status, project.title, project.version) == (
        Status.PROGRAMME,
        "Ateliers d'inclusion numérique",
        2,
    )


def test_an_import_after_the_form_was_opened_makes_its_save_stale(bruno, project, user_in, client_of):
    # The comité's programmation, imported by the direction (only it decides).
    dominique = user_in(roles.DIRECTION, username="dominique", first_name="Dominique", last_name="Roux")
    b = client_of(bruno)
    b_fields = _open(b, project)
    content = (
        "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;montant_demande;montant_accorde\n"
        "2024;2024-007;Ateliers d'inclusion numérique;Maison de quartier du Mont-Liébaut;association;"
        "cohesion_sociale;1.1;programme;anct;3000;2900\n"
    ).encode()
    assert programmation_import(content=content, filename="comite.csv", user=dominique).ok

    response = b.post(f"/projets/{project.pk}/modifier/", post_data(b_fields, title="Titre de Bruno"))

    assert response.status_code == 409
    text = _text(response.content.decode())
    assert "Ce dossier a été modifié par Dominique Roux le " in text
    assert "Dernière modification enregistrée : Import de programmation comite.csv." in text
    project.refresh_from_db()
    assert project.title == "Ateliers d'inclusion numérique" and project.version == 2


def test_a_form_without_its_version_is_refused(bruno, project, client_of):
    b = client_of(bruno)
    data = post_data(_open(b, project), title="Titre de Bruno")
    del data["version"]

    response = b.post(f"/projets/{project.pk}/modifier/", data)

    assert response.status_code == 200
    assert "rechargez la page" in _text(response.content.decode())
    project.refresh_from_db()
    assert project.title == "Ateliers d'inclusion numérique"


def test_a_stale_save_writes_nothing_at_all(alice, project):
    Project.objects.filter(pk=project.pk).update(version=5)
    line = project.funding_lines.get(funder__code="anct")
    line.amount_granted = Decimal("1.00")
    project.title = "Ne doit pas être enregistré"

    with pytest.raises(StaleProjectError):
        project_save_with_lines(
            project=project,
            year=2024,
            user=alice,
            funding_lines=[line],
            removed_funding_lines=list(project.funding_lines.filter(funder__code="caf")),
            new_operator=Operator(name="Nouveau porteur", kind="association"),
            expected_version=4,
        )

    assert not Operator.objects.filter(name="Nouveau porteur").exists()
    project.refresh_from_db()
    assert (project.title, project.version) == ("Ateliers d'inclusion numérique", 5)
    assert FundingLine.objects.filter(project=project).count() == 2
    assert FundingLine.objects.get(pk=line.pk).amount_granted == Decimal("2500.00")
    assert Project.history.filter(id=project.pk).count() == 1  # the factory's creation only


def test_every_save_takes_the_next_version(alice, project, client_of):
    b = client_of(alice)
    for expected in (2, 3, 4):
        assert b.post(f"/projets/{project.pk}/modifier/", post_data(_open(b, project))).status_code == 302
        project.refresh_from_db()
        assert project.version == expected

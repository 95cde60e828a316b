"""The audit trail: every change to money or status is traceable to a person — in the dossier
form, the workflow, the import, the bilan's texts, the administration — and the dossier page's
"Journal des modifications" says who changed what and when, amounts before and after, in a
constant number of queries."""

import re
from decimal import Decimal
from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from contratville import roles
from funding.models import FondsDeConcours
from projects.history import project_journal
from projects.imports.service import programmation_import
from projects.models import FundingLine, Indicator, Operator, ProgrammeYear, Project, Status
from projects.services import project_change_status
from reports.services import bilan_texts_update
from tests.factories import (
    FondsDeConcoursFactory,
    FundingLineFactory,
    OperatorFactory,
    ProjectFactory,
    complete_compte_rendu,
    funder,
    quartier,
)
from tests.projects.page_forms import form_fields, post_data

pytestmark = pytest.mark.django_db

HEADER = "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;quartiers;statut;financeur;montant_demande;montant_accorde"


@pytest.fixture
def camille(user_in):
    return user_in(roles.AGENT, username="camille", first_name="Camille", last_name="Martin")


@pytest.fixture
def direction(user_in):
    return user_in(roles.DIRECTION, username="dominique", first_name="Dominique", last_name="Roux")


@pytest.fixture
def project():
    project = ProjectFactory(
        year__year=2024,
        reference="2024-012",
        title="Ateliers d'inclusion numérique",
        operator=OperatorFactory(name="Maison de quartier du Mont-Liébaut"),
        status=Status.EN_INSTRUCTION,
        budget=Decimal("5000.00"),
    )
    project.quartiers.set([quartier("QP062004")])
    FundingLineFactory(
        project=project,
        funder=funder("anct"),
        amount_requested=Decimal("3000.00"),
        amount_granted=Decimal("800.00"),
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


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _journal_of(client, project) -> str:
    page = client.get(f"/projets/{project.pk}/").content.decode()
    section = re.search(
        r'<section class="card" aria-labelledby="journal-title" id="journal">(.*?)</section>', page, re.S
    )
    return _text(section.group(1))


def _entries_of(client, project) -> list[str]:
    """The text of each entry of the journal, newest first."""
    page = client.get(f"/projets/{project.pk}/").content.decode()
    return [_text(row) for row in re.findall(r'<tr class="journal__entry[^"]*">(.*?)</tr>', page, re.S)]


def _edit(client, project, **changes):
    fields = form_fields(client.get(f"/projets/{project.pk}/modifier/").content.decode())
    response = client.post(f"/projets/{project.pk}/modifier/", post_data(fields, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


# The dossier form


def test_an_edit_in_the_form_records_who_and_the_granted_amount_before_and_after(client, camille, project):
    client.force_login(camille)

    _edit(client, project, **{"lignes-0-amount_granted": "950"})

    record = FundingLine.history.filter(project_id=project.pk, funder__code="anct").first()
    assert record.history_user == camille
    assert (record.history_type, record.amount_granted) == ("~", Decimal("950.00"))
    assert record.prev_record.amount_granted == Decimal("800.00")
    assert Project.history.filter(id=project.pk).first().history_user == camille
    journal = _journal_of(client, project)
    assert "Camille Martin" in journal
    assert (
        "Ligne de financement État – ANCT crédits politique de la ville modifiée : "
        "demandé 3 000,00 €, accordé 800,00 € → 950,00 €" in journal
    )


def test_the_journal_names_each_field_in_french_with_its_values_before_and_after(client, camille, project):
    client.force_login(camille)

    _edit(
        client,
        project,
        title="Ateliers numériques pour les seniors",
        budget="6 250,50",
        quartiers=[str(quartier("QP062004").pk), str(quartier("QP062008").pk)],
        start_date="2024-02-01",
    )

    latest, *_older = _entries_of(client, project)
    assert "Camille Martin" in latest
    assert "Intitulé : Ateliers d'inclusion numérique → Ateliers numériques pour les seniors" in latest
    assert "Budget total de l'action : 5 000,00 € → 6 250,50 €" in latest
    assert "Quartiers : QP062004 → QP062004, QP062008" in latest
    assert "Date de début : — → 1 février 2024" in latest
    # Only what changed.
    assert "Statut :" not in latest and "Porteur :" not in latest and "Ligne" not in latest


def test_lines_added_and_removed_in_the_form_are_in_the_journal_with_their_amounts(client, camille, project):
    client.force_login(camille)
    caf = project.funding_lines.get(funder__code="caf")
    fields = form_fields(client.get(f"/projets/{project.pk}/modifier/").content.decode())
    # The first empty extra row becomes a new line; the CAF line is deleted.
    extra = int(fields["lignes-INITIAL_FORMS"][0])
    data = post_data(
        fields,
        **{
            f"lignes-{extra}-funder": str(funder("region").pk),
            f"lignes-{extra}-amount_requested": "1 500",
            f"lignes-{extra}-amount_granted": "1 200",
            "lignes-1-DELETE": "on",
        },
    )
    assert client.post(f"/projets/{project.pk}/modifier/", data).status_code == 302

    assert FundingLine.history.filter(id=caf.pk, history_type="-").get().history_user == camille
    journal = _journal_of(client, project)
    assert (
        "Ligne de financement Région Hauts-de-France ajoutée : demandé 1 500,00 €, accordé 1 200,00 €"
        in journal
    )
    assert "Ligne de financement CAF supprimée : demandé 2 000,00 €, accordé —" in journal


def test_a_dossier_created_in_the_form_is_recorded_with_its_lines(client, camille):
    client.force_login(camille)
    operator = OperatorFactory(name="Association Élan")
    from tests.projects.test_project_form import form_data, line

    client.post("/projets/nouveau/", form_data(operator, lines=[line("anct", "1 234,56", "1 000")]))

    project = Project.objects.get(reference="2024-001")
    assert {record.history_user for record in Project.history.filter(id=project.pk)} == {camille}
    assert Project.history.filter(id=project.pk, history_type="+").exists()
    journal = _journal_of(client, project)
    assert "Création du dossier" in journal
    assert "Statut : Brouillon" in journal
    assert (
        "Ligne de financement État – ANCT crédits politique de la ville ajoutée : demandé 1 234,56 €, accordé 1 000,00 €"
        in journal
    )


def test_an_unchanged_line_is_not_written_again(client, camille, project):
    client.force_login(camille)
    before = FundingLine.history.count()

    _edit(client, project, title="Un autre intitulé")

    assert FundingLine.history.count() == before


# The workflow


def test_a_workflow_transition_is_recorded_with_who_and_why(client, direction, project):
    project_change_status(
        project=project, to_status=Status.PROGRAMME, user=direction, comment="Comité du 28 mars"
    )

    record = Project.history.filter(id=project.pk).first()
    assert (record.history_user, record.status, record.prev_record.status) == (
        direction,
        Status.PROGRAMME,
        Status.EN_INSTRUCTION,
    )
    assert record.history_change_reason == "Programmer : Comité du 28 mars"
    project.refresh_from_db()
    assert project.version == 2
    client.force_login(direction)
    journal = _journal_of(client, project)
    assert "Dominique Roux" in journal and "Programmer : Comité du 28 mars" in journal
    assert "Statut : En instruction → Programmé" in journal


def test_a_transition_through_the_button_is_recorded_with_the_signed_in_user(client, camille, project):
    client.force_login(camille)
    client.post(f"/projets/{project.pk}/statut/", {"to_status": Status.ABANDONNE})
    record = Project.history.filter(id=project.pk).first()
    assert (record.history_user, record.status) == (camille, Status.ABANDONNE)


# The import


def _import(rows: list[str], user, filename="programmation.csv"):
    content = "\n".join([HEADER, *rows]).encode()
    result = programmation_import(content=content, filename=filename, user=user)
    assert result.ok, result.errors
    return result


def test_an_import_records_every_created_dossier_operator_and_line_with_the_user(camille):
    _import(
        [
            "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008|QP062011;en_instruction;anct;12000;10000",
            "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008|QP062011;en_instruction;caf;5000;5000",
            "2025;I-002;Jardins partagés;Ville de Bruay;commune;cadre_de_vie;3.1;;depose;region;3000;",
        ],
        camille,
        filename="programmation 2025.xlsx.csv",
    )

    reason = "Import de programmation programmation 2025.xlsx.csv"
    projects = Project.objects.filter(year_id=2025)
    assert projects.count() == 2
    for project in projects:
        record = Project.history.get(id=project.pk)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            camille,
            reason,
        )
    lines = FundingLine.objects.filter(project__year_id=2025)
    assert lines.count() == 3
    for line in lines:
        record = FundingLine.history.get(id=line.pk)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            camille,
            reason,
        )
        assert record.amount_requested == line.amount_requested
    for operator in Operator.objects.filter(name__in=["Association Élan", "Ville de Bruay"]):
        assert Operator.history.get(id=operator.pk).history_user == camille
    assert ProgrammeYear.history.get(year=2025).history_user == camille
    # Each record carries the dossier's quartiers, as simple-history's m2m tracking does.
    record = Project.history.get(reference="I-001")
    assert sorted(record.quartiers.values_list("quartier__code_2015", flat=True)) == ["QP062008", "QP062011"]


def test_a_reimport_records_the_changed_amounts_status_and_version(client, camille, direction):
    first = [
        "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008;en_instruction;anct;12000;",
        "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008;en_instruction;caf;5000;",
    ]
    _import(first, camille, filename="depot.csv")
    _import(
        [
            "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008|QP062011;programme;anct;12000;10000",
            "2025;I-001;Chantier d'insertion;Association Élan;association;emploi;2.1;QP062008|QP062011;programme;caf;5000;4000",
        ],
        direction,
        filename="comite.csv",
    )

    project = Project.objects.get(reference="I-001")
    assert project.version == 2
    assert Project.history.filter(id=project.pk).first().history_user == direction
    # The replaced lines are recorded as deleted by the importing user, the new ones as created.
    deleted = FundingLine.history.filter(project_id=project.pk, history_type="-")
    assert deleted.count() == 2 and {record.history_user for record in deleted} == {direction}
    client.force_login(direction)
    journal = _journal_of(client, project)
    assert "Import de programmation comite.csv" in journal and "Import de programmation depot.csv" in journal
    assert "Statut : En instruction → Programmé" in journal
    assert "Quartiers : QP062008 → QP062008, QP062011" in journal
    assert "Ligne de financement CAF modifiée : demandé 5 000,00 €, accordé — → 4 000,00 €" in journal


def test_the_import_command_records_the_user_it_names(camille, tmp_path):
    path = tmp_path / "programmation.csv"
    path.write_text(
        "\n".join([HEADER, "2025;I-009;Titre;Association Élan;association;emploi;2.1;;depose;anct;100;"])
    )

    call_command("import_programmation", str(path), utilisateur="camille", stdout=StringIO())

    record = Project.history.get(reference="I-009")
    assert (record.history_user, record.history_change_reason) == (
        camille,
        "Import de programmation programmation.csv",
    )
    with pytest.raises(CommandError, match="Utilisateur inconnu : personne"):
        call_command("import_programmation", str(path), utilisateur="personne", stdout=StringIO())


def test_a_dry_run_records_nothing(camille):
    before = Project.history.count() + FundingLine.history.count()
    content = "\n".join(
        [HEADER, "2025;I-001;Titre;Association Élan;association;emploi;2.1;;depose;anct;100;"]
    ).encode()
    assert programmation_import(content=content, filename="essai.csv", dry_run=True, user=camille).ok
    assert Project.history.count() + FundingLine.history.count() == before


# The bilan's texts, the fonds de concours, the operators


def test_the_bilan_texts_are_recorded_with_their_author(direction, project):
    bilan_texts_update(year=2024, texts={"context_text": "Une année de reprise."}, user=direction)

    record = ProgrammeYear.history.filter(year=2024).first()
    assert (record.history_user, record.context_text) == (direction, "Une année de reprise.")


def test_a_focus_action_of_the_bilan_gives_the_dossier_a_new_version(direction, project):
    project.status = Status.PROGRAMME
    project.save()
    project.refresh_from_db()
    version = project.version

    bilan_texts_update(year=2024, texts={}, add_focus=project, user=direction)

    project.refresh_from_db()
    assert project.is_focus and project.version == version + 1
    assert Project.history.filter(id=project.pk).first().history_user == direction


def test_fonds_de_concours_and_operators_changed_in_the_admin_are_recorded(admin_client, admin_user):
    fonds = FondsDeConcoursFactory(amount=Decimal("10000.00"))
    operator = OperatorFactory(name="Association Élan")

    response = admin_client.post(
        f"/admin/funding/fondsdeconcours/{fonds.pk}/change/",
        {
            "year": str(fonds.year_id),
            "commune": str(fonds.commune_id),
            "project_title": fonds.project_title,
            "amount": "12500.00",
            "order": "0",
        },
    )
    assert response.status_code == 302
    response = admin_client.post(
        f"/admin/projects/operator/{operator.pk}/change/",
        {"name": "Association Élan Bruaysien", "kind": "association", "siret": "", "email": "", "phone": ""},
    )
    assert response.status_code == 302

    record = FondsDeConcours.history.filter(id=fonds.pk).first()
    assert (record.history_user, record.amount, record.prev_record.amount) == (
        admin_user,
        Decimal("12500.00"),
        Decimal("10000.00"),
    )
    assert Operator.history.filter(id=operator.pk).first().history_user == admin_user
    assert admin_client.get(f"/admin/funding/fondsdeconcours/{fonds.pk}/history/").status_code == 200


def test_a_dossier_saved_in_the_admin_takes_a_new_version_and_is_recorded(admin_user, project):
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    project.title = "Corrigé dans l'administration"
    # The version the change page was opened with, as DossierVersionForm checked it.
    form = SimpleNamespace(cleaned_data={"dossier_version": project.version}, changed_data=["title"])

    admin.site._registry[Project].save_model(request, project, form, change=True)

    project.refresh_from_db()
    assert project.version == 2
    record = Project.history.filter(id=project.pk).first()
    assert (record.history_user, record.title, record.version) == (
        admin_user,
        "Corrigé dans l'administration",
        2,
    )


def test_the_history_pages_of_the_admin_open(admin_client, project):
    line = project.funding_lines.first()
    for url in (
        f"/admin/projects/project/{project.pk}/history/",
        f"/admin/projects/fundingline/{line.pk}/history/",
        f"/admin/projects/operator/{project.operator_id}/history/",
        f"/admin/projects/programmeyear/{project.year_id}/history/",
    ):
        assert admin_client.get(url).status_code == 200, url


# The journal


@pytest.mark.slow
def test_the_journal_reads_in_four_queries_whatever_its_length(client, camille, project):
    client.force_login(camille)
    for number in range(4):
        _edit(
            client,
            project,
            title=f"Intitulé n° {number}",
            **{"lignes-0-amount_granted": f"{900 + number}", "indicateurs-0-label": f"Indicateur {number}"},
        )
        Indicator.objects.create(project=project, label=f"Aidants formés {number}", expected=number)

    with CaptureQueriesContext(connection) as queries:
        journal = project_journal(project.pk)
    assert len(queries) == 4
    assert len(journal) >= 9


@pytest.mark.slow
def test_the_dossier_page_takes_the_same_number_of_queries_however_long_its_journal(client, camille, project):
    client.force_login(camille)
    url = f"/projets/{project.pk}/"
    client.get(url)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = page_queries()
    for number in range(5):
        _edit(
            client, project, title=f"Intitulé n° {number}", **{"lignes-1-amount_granted": f"{100 + number}"}
        )
    project_change_status(project=project, to_status=Status.ABANDONNE, user=camille)

    assert page_queries() == few


def test_the_journal_opens_with_the_state_of_existing_rows(camille):
    """The migration that opened the journal records every row as it stood."""
    project = ProjectFactory()
    project.quartiers.set([quartier("QP062011")])
    FundingLineFactory(project=project, amount_granted=Decimal("700.00"))
    for model in (Project, FundingLine):
        model.history.all().delete()
    Project.history.model.quartiers.model.objects.all().delete()

    import_module("projects.migrations.0005_history_baseline").open_audit_trail(apps, None)
    # Funding lines belonged to the funding app when that migration ran: it reads them there.
    funding_0004 = ("funding", "0004_history_baseline")
    state = MigrationLoader(connection).project_state(funding_0004, at_end=True)
    import_module("funding.migrations.0004_history_baseline").open_audit_trail(state.apps, None)

    record = Project.history.get(id=project.pk)
    assert record.history_change_reason == "État à l'ouverture du journal des modifications"
    assert list(record.quartiers.values_list("quartier__code_2015", flat=True)) == ["QP062011"]
    assert FundingLine.history.get(project_id=project.pk).amount_granted == Decimal("700.00")
    complete_compte_rendu(project, camille)
    project_change_status(project=project, to_status=Status.JUSTIFIE, user=camille)
    kinds = [entry.kind for entry in project_journal(project.pk)]
    assert kinds == ["change", "baseline"]


def test_rows_written_before_their_history_began_are_not_read_as_added(client, camille):
    """Synthetic data is bulk-written without history: an edit then changes a state the
    journal does not know, and says so."""
    # In instruction: the agent may change its granted amounts (not those of a programmed one).
    project = ProjectFactory(year__year=2024, reference="2024-099", status=Status.EN_INSTRUCTION)
    anct = FundingLineFactory(project=project, funder=funder("anct"), amount_granted=Decimal("700.00"))
    caf = FundingLineFactory(project=project, funder=funder("caf"), amount_granted=Decimal("300.00"))
    Project.history.all().delete()
    FundingLine.history.all().delete()
    client.force_login(camille)
    fields = form_fields(client.get(f"/projets/{project.pk}/modifier/").content.decode())
    order = {
        value: index for index, value in enumerate(fields[name][0] for name in ("lignes-0-id", "lignes-1-id"))
    }
    anct_row, caf_row = order[str(anct.pk)], order[str(caf.pk)]

    response = client.post(
        f"/projets/{project.pk}/modifier/",
        post_data(fields, **{f"lignes-{anct_row}-amount_granted": "750", f"lignes-{caf_row}-DELETE": "on"}),
    )
    assert response.status_code == 302

    journal = _journal_of(client, project)
    assert (
        "Ligne de financement État – ANCT crédits politique de la ville modifiée : demandé 1 000,00 €, "
        "accordé 750,00 € (valeurs précédentes non enregistrées)" in journal
    )
    assert "Ligne de financement CAF supprimée : demandé 1 000,00 €, accordé 300,00 €" in journal
    assert "ajoutée" not in journal


def test_a_bilan_save_leaves_an_unchanged_focus_dossier_at_its_version(direction, project):
    Project.objects.filter(pk=project.pk).update(status=Status.PROGRAMME, is_focus=True, focus_order=1)
    project.refresh_from_db()

    bilan_texts_update(year=2024, texts={"context_text": "Texte"}, focus=[(project, False)], user=direction)
    project.refresh_from_db()
    assert project.version == 1

    project.partner = "Emmaüs Connect"
    bilan_texts_update(year=2024, texts={}, focus=[(project, False)], user=direction)
    project.refresh_from_db()
    assert (project.partner, project.version) == ("Emmaüs Connect", 2)
    record = Project.history.filter(id=project.pk).first()
    assert (record.history_user, record.history_change_reason) == (direction, "Textes du bilan")

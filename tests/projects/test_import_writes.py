"""What the programmation import writes, row by row, on SQLite and on PostgreSQL (where it writes
by `COPY` and records its audit trail with `INSERT … SELECT`): the rows, their ids, the history
records with the rows' values, the importing user and the file's name, the quartiers of each
dossier record, the status changes, and an error rather than a crash when a concurrent write
collides."""

import csv
import io
from decimal import Decimal

import pytest

from contratville import roles
from projects.imports import history, writing
from projects.imports.format import COLUMNS
from projects.imports.service import programmation_import
from projects.models import FundingLine, Operator, ProgrammeYear, Project, StatusChange
from tests.factories import OperatorFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"


def _row(reference, title, operator, siret, kind, quartiers, status, funder, requested, granted, year=2031):
    pillar, theme = ("emploi", "2.1") if reference.endswith("2") else ("cohesion_sociale", "1.1")
    return {
        "annee": str(year),
        "numero_dossier": reference,
        "intitule": title,
        "porteur": operator,
        "siret": siret,
        "type_porteur": kind,
        "pilier": pillar,
        "thematique": theme,
        "quartiers": quartiers,
        "statut": status,
        "financeur": funder,
        "nature": "",
        "montant_demande": requested,
        "montant_accorde": granted,
    }


def _file(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


FIRST = [
    _row(
        "W-001",
        "Soutien scolaire",
        "Association Tremplin",
        "",
        "association",
        "QP062008|QP062011",
        "en_instruction",
        "anct",
        "12 000,00",
        "",
    ),
    _row(
        "W-001",
        "Soutien scolaire",
        "Association Tremplin",
        "",
        "association",
        "QP062008|QP062011",
        "en_instruction",
        "caf",
        "5000",
        "",
    ),
    _row(
        "W-002",
        "Chantier d'insertion",
        "Ville de Bruay",
        SIRET,
        "commune",
        "QP062004",
        "programme",
        "region",
        "3000",
        "2500,50",
    ),
    _row("W-003", "Jardins partagés", "les amis du jardin", "", "association", "", "depose", "", "", ""),
]
SECOND = [
    # W-001: amounts and status changed, a line dropped, a quartier more.
    _row(
        "W-001",
        "Soutien scolaire",
        "Association Tremplin",
        "",
        "association",
        "QP062008|QP062011|QP062004",
        "programme",
        "anct",
        "12 000,00",
        "10 000",
    ),
    # W-002: unchanged.
    FIRST[2],
    # W-003: a funding line added, the porteur now an "autre".
    _row("W-003", "Jardins partagés", "les amis du jardin", "", "autre", "", "depose", "commune", "800", ""),
]


def _importer(**kwargs):
    """A member of the direction: the files programme dossiers."""
    return UserFactory(role=roles.DIRECTION, **kwargs)


def _values(instance, historical_model) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in historical_model.tracked_fields}


def _record_values(record, historical_model) -> dict:
    return {field.attname: getattr(record, field.attname) for field in historical_model.tracked_fields}


def _records(model, reason):
    return list(model.history.filter(history_change_reason=reason).order_by("history_id"))


def _snapshot():
    """Every row the import writes, ids included."""
    return (
        list(
            Project.objects.order_by("id").values_list(
                "id", "year_id", "reference", "title", "operator_id", "status", "version"
            )
        ),
        list(
            FundingLine.objects.order_by("id").values_list(
                "id", "project_id", "funder_id", "nature", "amount_requested", "amount_granted", "position"
            )
        ),
        list(Operator.objects.order_by("id").values_list("id", "name", "kind", "siret")),
        list(Project.quartiers.through.objects.order_by("id").values_list("id", "project_id", "quartier_id")),
        list(
            StatusChange.objects.order_by("id").values_list(
                "id", "project_id", "from_status", "to_status", "changed_by_id", "comment"
            )
        ),
        sorted(ProgrammeYear.objects.values_list("year", flat=True)),
    )


def _history_counts():
    return tuple(model.history.count() for model in (Project, FundingLine, Operator, ProgrammeYear)) + (
        Project.history.model.quartiers.model.objects.count(),
    )


def test_the_records_of_a_first_import_hold_the_rows_values_the_user_and_the_file():
    user = _importer(username="importeur")
    # An operator known by name in capitals only: matched ignoring case, and recorded once changed.
    known = OperatorFactory(name="LES AMIS DU JARDIN", kind="association")
    result = programmation_import(content=_file(FIRST), filename="premier.csv", user=user)
    assert result.ok, result.errors
    assert (result.projects_created, result.lines, result.operators_created) == (3, 3, 2)
    reason = "Import de programmation premier.csv"

    projects = list(Project.objects.filter(year_id=2031).order_by("id"))
    assert Project.objects.get(reference="W-003").operator_id == known.pk
    records = _records(Project, reason)
    assert [record.id for record in records] == [project.pk for project in projects]
    HistoricalProject = Project.history.model
    for project, record in zip(projects, records, strict=True):
        assert _record_values(record, HistoricalProject) == _values(project, HistoricalProject)
        assert (record.history_type, record.history_user_id) == ("+", user.pk)
        # The dossier's quartiers, as they stand, with each record.
        assert sorted(record.quartiers.values_list("id", "quartier_id")) == sorted(
            Project.quartiers.through.objects.filter(project_id=project.pk).values_list("id", "quartier_id")
        )
    assert len({record.history_date for record in records}) == 1

    lines = list(FundingLine.objects.filter(project__year_id=2031).order_by("id"))
    line_records = _records(FundingLine, reason)
    assert [record.id for record in line_records] == [line.pk for line in lines]
    for line, record in zip(lines, line_records, strict=True):
        assert _record_values(record, FundingLine.history.model) == _values(line, FundingLine.history.model)
        assert (record.history_type, record.history_user_id) == ("+", user.pk)
    assert [(line.amount_requested, line.amount_granted) for line in lines] == [
        (Decimal("12000.00"), None),
        (Decimal("5000.00"), None),
        (Decimal("3000.00"), Decimal("2500.50")),
    ]

    new_operators = list(Operator.objects.exclude(pk=known.pk).order_by("id"))
    operator_records = _records(Operator, reason)
    assert [(record.id, record.history_type) for record in operator_records] == [
        (operator.pk, "+") for operator in new_operators
    ]
    for operator, record in zip(new_operators, operator_records, strict=True):
        assert _record_values(record, Operator.history.model) == _values(operator, Operator.history.model)
    year_record = ProgrammeYear.history.get(year=2031)
    assert (year_record.history_type, year_record.history_user_id, year_record.history_change_reason) == (
        "+",
        user.pk,
        reason,
    )
    assert all(record.history_date == records[0].history_date for record in line_records + operator_records)

    changes = list(StatusChange.objects.filter(project__year_id=2031).order_by("id"))
    assert [(change.project_id, change.from_status, change.to_status) for change in changes] == [
        (project.pk, "", project.status) for project in projects
    ]
    assert {(change.changed_by_id, change.comment) for change in changes} == {
        (user.pk, "Import de programmation")
    }
    assert all(change.changed_at is not None for change in changes)


def test_a_reimport_records_what_it_changes_and_a_third_import_changes_nothing():
    user = _importer(username="importeur")
    assert programmation_import(content=_file(FIRST), filename="premier.csv", user=user).ok
    before = {line.pk: _values(line, FundingLine.history.model) for line in FundingLine.objects.all()}
    w001, w002, w003 = (Project.objects.get(reference=f"W-00{n}") for n in (1, 2, 3))

    result = programmation_import(content=_file(SECOND), filename="second.csv", user=user)
    assert result.ok, result.errors
    assert (result.projects_created, result.projects_updated, result.projects_unchanged) == (0, 2, 1)
    assert (result.operators_created, result.operators_updated) == (0, 1)
    reason = "Import de programmation second.csv"

    records = _records(Project, reason)
    assert sorted((record.id, record.history_type) for record in records) == [(w001.pk, "~"), (w003.pk, "~")]
    for record in records:
        project = Project.objects.get(pk=record.id)
        assert project.version == 2
        assert _record_values(record, Project.history.model) == _values(project, Project.history.model)
        assert sorted(record.quartiers.values_list("quartier_id", flat=True)) == sorted(
            project.quartiers.values_list("id", flat=True)
        )
    assert Project.objects.get(pk=w002.pk).version == 1

    # The replaced lines recorded as deleted with their values before, the new ones as added.
    deleted = [record for record in _records(FundingLine, reason) if record.history_type == "-"]
    assert sorted(record.id for record in deleted) == sorted(
        pk for pk, values in before.items() if values["project_id"] == w001.pk
    )
    for record in deleted:
        assert _record_values(record, FundingLine.history.model) == before[record.id]
    added = [record for record in _records(FundingLine, reason) if record.history_type == "+"]
    new_lines = list(FundingLine.objects.filter(project_id__in=[w001.pk, w003.pk]).order_by("id"))
    assert [record.id for record in added] == [line.pk for line in new_lines]
    for line, record in zip(new_lines, added, strict=True):
        assert _record_values(record, FundingLine.history.model) == _values(line, FundingLine.history.model)

    (operator_record,) = _records(Operator, reason)
    assert (operator_record.history_type, operator_record.kind) == ("~", "autre")
    assert not _records(ProgrammeYear, reason)
    change = StatusChange.objects.filter(project=w001).order_by("id").last()
    assert (change.from_status, change.to_status, change.changed_by_id) == (
        "en_instruction",
        "programme",
        user.pk,
    )

    rows, history = _snapshot(), _history_counts()
    result = programmation_import(content=_file(SECOND), filename="second.csv", user=user)
    assert (result.projects_unchanged, result.operators_updated) == (3, 0)
    assert (_snapshot(), _history_counts()) == (rows, history)


def test_a_collision_while_writing_is_reported_and_nothing_is_written(monkeypatch):
    """Another import writing the same dossier at the same time: a French error, not a crash."""
    create = writing.insert_instances

    def racing(model, instances):
        if model is Project and instances:
            year = ProgrammeYear.objects.get(year=instances[0].year_id)
            ProjectFactory(year=year, reference=instances[0].reference)
        create(model, instances)

    monkeypatch.setattr(writing, "insert_instances", racing)
    rows = _snapshot()
    result = programmation_import(content=_file(FIRST), filename="premier.csv", user=_importer())
    assert [issue.message.split(" : ")[0] for issue in result.errors] == [
        "L'enregistrement a échoué, rien n'a été enregistré (import simultané ?)"
    ]
    assert _snapshot() == rows


def test_records_are_complete_when_written_in_several_statements(monkeypatch):
    """SQLite takes a bounded number of parameters per statement: the records of a large file
    are written in chunks of dossiers (here of two), and none is missing."""
    monkeypatch.setattr(history, "SQLITE_KEYS_PER_STATEMENT", 2)
    result = programmation_import(content=_file(FIRST), filename="premier.csv", user=_importer())
    assert result.ok, result.errors
    reason = "Import de programmation premier.csv"
    projects = list(Project.objects.filter(year_id=2031).order_by("id"))
    assert sorted(record.id for record in _records(Project, reason)) == [project.pk for project in projects]
    lines = FundingLine.objects.filter(project__year_id=2031)
    assert sorted(record.id for record in _records(FundingLine, reason)) == sorted(line.pk for line in lines)
    snapshots = Project.history.model.quartiers.model.objects.filter(history__history_change_reason=reason)
    assert snapshots.count() == Project.quartiers.through.objects.filter(project__year_id=2031).count() > 0


def test_every_link_to_a_funding_line_outlives_it():
    """The import deletes the lines it replaces by SQL: what points to them must be emptied,
    not deleted nor protecting them."""
    from django.db.models import SET_NULL

    links = writing.links_to_lines()
    assert {link.related_model._meta.label for link in links} == {
        "comites.ScenarioLine",
        "comites.FundingDecision",
    }
    assert all(link.on_delete is SET_NULL for link in links)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reimport_replaces_lines_that_a_scenario_proposed_and_the_scenario_keeps_its_rows():
    """Committed for real: the foreign keys are checked at the commit."""
    import datetime

    from comites.models import ScenarioLine
    from comites.services import agenda_add_projects, scenario_create, seance_create

    user = _importer(username="importeur")
    assert programmation_import(content=_file(FIRST), filename="premier.csv", user=user).ok
    w001 = Project.objects.get(reference="W-001")
    seance = seance_create(year=2031, date=datetime.date(2031, 3, 1), kind="comite_programmation", user=user)
    assert agenda_add_projects(seance=seance, project_ids=[w001.pk], user=user).added == [w001]
    scenario = scenario_create(seance=seance, name="Hypothèse haute", user=user)
    old_lines = sorted(FundingLine.objects.filter(project=w001).values_list("pk", flat=True))
    assert (
        sorted(ScenarioLine.objects.filter(scenario=scenario).values_list("funding_line_id", flat=True))
        == old_lines
    )

    result = programmation_import(content=_file(SECOND), filename="second.csv", user=user)
    assert result.ok, result.errors
    assert not FundingLine.objects.filter(pk__in=old_lines).exists()
    assert list(
        ScenarioLine.objects.filter(scenario=scenario)
        .order_by("id")
        .values_list("funding_line_id", "requested")
    ) == [(None, Decimal("12000.00")), (None, Decimal("5000.00"))]

"""The scenario's table: the amounts proposed for each funding line, each row's opinion and
comment, saved a cell or a page at a time under each row's version."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from contratville.formatting import euros
from contratville.tabular import parse_amount
from projects.models import Project

from ..models import (
    Opinion,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    dossier_label,
)
from .scenarios import check_editable


class StaleRowError(ValidationError):
    """A scenario's row was changed by someone else since the user's page showed it."""

    def __init__(self, project: Project):
        self.project = project
        super().__init__(
            f"Le dossier {dossier_label(project)} a été modifié dans ce scénario par une autre personne "
            "depuis l'affichage de votre page : rien n'a été enregistré pour ce dossier. Rechargez la page "
            "pour voir ses nouvelles valeurs.",
            code="stale_row",
        )


@dataclass
class CellResult:
    """A cell saved: the row's new version, the amount as stored and a warning, if any."""

    version: int
    amount: Decimal | None
    warning: str = ""


def parse_proposed(raw: str | None, *, label: str) -> Decimal | None:
    """A proposed amount typed the French way ("1 234,56"); empty means the funder's decision
    is pending. Raises ValidationError in French, naming the cell (`label`)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return parse_amount(raw)
    except ValueError as error:
        raise ValidationError(f"{label} : {error}.") from error


def _above_requested(amount: Decimal | None, requested: Decimal, label: str) -> str:
    if amount is not None and amount > requested:
        return (
            f"{label} : le montant proposé ({euros(amount)}) dépasse le montant demandé ({euros(requested)})."
        )
    return ""


def _bump_row(scenario: Scenario, project: Project, version: int) -> int:
    """Increment a row's version if it still is `version` (one UPDATE: no lost update between
    two people); StaleRowError otherwise."""
    updated = ScenarioOpinion.objects.filter(scenario=scenario, project=project, version=version).update(
        version=F("version") + 1
    )
    if not updated:
        raise StaleRowError(project)
    return version + 1


def cell_label(project: Project, funder_label: str) -> str:
    return f"Dossier {dossier_label(project)}, {funder_label}"


@transaction.atomic
def scenario_cell_update(*, scenario: Scenario, line_id: int, raw_amount: str, version: int) -> CellResult:
    """Save one cell of the scenario's table (the amount proposed for one funding line), typed
    the French way, if the row is still at `version`. An amount above the requested one is
    saved with a warning; a negative or garbled one is refused (ValidationError)."""
    scenario = Scenario.objects.select_related("seance").get(pk=scenario.pk)
    check_editable(scenario)
    try:
        line = ScenarioLine.objects.select_related("project", "funder").get(scenario=scenario, pk=line_id)
    except ScenarioLine.DoesNotExist as error:
        raise ValidationError("Cette ligne n'appartient pas au scénario : rechargez la page.") from error
    label = cell_label(line.project, line.funder.short_label or line.funder.label)
    amount = parse_proposed(raw_amount, label=label)
    new_version = _bump_row(scenario, line.project, version)
    line.proposed = amount
    line.full_clean()
    line.save(update_fields=["proposed"])
    return CellResult(new_version, amount, _above_requested(amount, line.requested, label))


@transaction.atomic
def scenario_opinion_update(
    *, scenario: Scenario, project: Project, opinion: str, comment: str, version: int
) -> int:
    """Save a row's opinion and comment if the row is still at `version`; its new version."""
    scenario = Scenario.objects.select_related("seance").get(pk=scenario.pk)
    check_editable(scenario)
    row = ScenarioOpinion.objects.filter(scenario=scenario, project=project).first()
    if row is None:
        raise ValidationError(f"Le dossier {dossier_label(project)} n'est pas dans ce scénario.")
    row.opinion, row.comment = opinion, comment.strip()
    try:
        row.full_clean(exclude=["version"])
    except ValidationError as error:
        raise ValidationError(f"Dossier {dossier_label(project)} : {' '.join(error.messages)}") from error
    new_version = _bump_row(scenario, project, version)
    ScenarioOpinion.objects.filter(pk=row.pk).update(opinion=row.opinion, comment=row.comment)
    return new_version


@dataclass
class RowInput:
    """One row of the scenario's page form, as typed: its version, the amount typed in each of
    its cells (by scenario line id), its opinion and comment."""

    project_id: int
    version: int
    amounts: Mapping[int, str]
    opinion: str
    comment: str = ""


@dataclass
class RowsResult:
    saved: int = 0
    warnings: list[str] = field(default_factory=list)


class RowsError(ValidationError):
    """The page's rows were refused: `errors` maps a row (dossier id) or a cell (scenario line
    id, as `("line", id)`) to its French messages. Nothing was written."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__([message for messages in errors.values() for message in messages])


@transaction.atomic
def scenario_rows_update(*, scenario: Scenario, rows: Sequence[RowInput]) -> RowsResult:
    """Save a page of the scenario's table (the page without JavaScript): every row or none.

    A row whose values equal what is stored is left alone whatever its version; a changed row
    must still be at the version the page showed (else its dossier is named in the error).
    Amounts are checked and parsed the French way; an amount above the requested one is a
    warning."""
    scenario = Scenario.objects.select_related("seance").get(pk=scenario.pk)
    check_editable(scenario)
    ids = [row.project_id for row in rows]
    stored = {o.project_id: o for o in ScenarioOpinion.objects.filter(scenario=scenario, project_id__in=ids)}
    projects = Project.objects.in_bulk(ids)
    lines = {
        line.pk: line
        for line in ScenarioLine.objects.filter(scenario=scenario, project_id__in=ids).select_related(
            "funder"
        )
    }
    errors: dict = defaultdict(list)
    result = RowsResult()
    changed_rows: list[tuple[ScenarioOpinion, int, Project]] = []
    changed_lines: list[ScenarioLine] = []
    for row in rows:
        project = projects.get(row.project_id)
        current = stored.get(row.project_id)
        if project is None or current is None:
            errors[row.project_id].append("Ce dossier n'est plus dans le scénario : rechargez la page.")
            continue
        row_lines = []
        for line_id, raw in row.amounts.items():
            line = lines.get(line_id)
            if line is None or line.project_id != project.pk:
                errors[("line", line_id)].append(
                    "Cette ligne n'est plus dans le scénario : rechargez la page."
                )
                continue
            label = cell_label(project, line.funder.short_label or line.funder.label)
            try:
                amount = parse_proposed(raw, label=label)
            except ValidationError as error:
                errors[("line", line_id)].extend(error.messages)
                continue
            if amount != line.proposed:
                line.proposed = amount
                row_lines.append(line)
            warning = _above_requested(amount, line.requested, label)
            if warning:
                result.warnings.append(warning)
        opinion = row.opinion or current.opinion
        if opinion not in Opinion.values:
            errors[row.project_id].append(f"Dossier {dossier_label(project)} : avis inconnu « {opinion} ».")
            continue
        comment = row.comment.strip()
        if len(comment) > 500:
            errors[row.project_id].append(
                f"Dossier {dossier_label(project)} : le commentaire ne dépasse pas 500 caractères."
            )
            continue
        if row_lines or opinion != current.opinion or comment != current.comment:
            if row.version != current.version:
                errors[row.project_id].append(StaleRowError(project).messages[0])
                continue
            current.opinion, current.comment = opinion, comment
            changed_rows.append((current, row.version, project))
            changed_lines.extend(row_lines)
    if errors:
        raise RowsError(dict(errors))
    for current, version, project in changed_rows:
        _bump_row(scenario, project, version)
        ScenarioOpinion.objects.filter(pk=current.pk).update(opinion=current.opinion, comment=current.comment)
    ScenarioLine.objects.bulk_update(changed_lines, ["proposed"])
    result.saved = len(changed_rows)
    return result

"""Writes of the comités: séances, their agenda, scenarios and applying a comité's decision.

Every service takes keyword arguments, checks what it writes (`full_clean`, French
`ValidationError` messages naming the dossier or the séance concerned) and writes in one
transaction: a refused write leaves nothing half-written.

A scenario follows its séance's agenda: a dossier added to the agenda gets a row (its funding
lines at their requested amounts, a favourable opinion) in every scenario still open, a dossier
removed loses it. A dossier's lines may still change after (an edit, a re-import):
`scenario_differences` (comites.selectors) lists what changed, `scenario_refresh` brings the
scenario up to date, and applying refuses a scenario that is not.

A row of a scenario (one dossier) has a version: each change of the row checks the version the
user's page was showing and increments it in the same UPDATE, so that two people on one
scenario never overwrite each other silently (`StaleRowError`)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from contratville.formatting import euros
from contratville.tabular import parse_amount
from projects.models import FundingLine, ProgrammeYear, Project, Status
from projects.services import DECIDE_PERMISSION, project_change_status

from . import selectors
from .models import (
    AGENDA_STATUSES,
    AgendaItem,
    Decision,
    FundingDecision,
    Opinion,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    Seance,
    SeanceState,
    dossier_label,
)

APPLY_PERMISSION = "comites.apply_scenario"
# A séance's state may go to these.
STATE_MOVES: dict[str, tuple[str, ...]] = {
    SeanceState.EN_PREPARATION: (SeanceState.TENU,),
    SeanceState.TENU: (SeanceState.EN_PREPARATION, SeanceState.CLOS),
    SeanceState.CLOS: (),
}


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


# Séances ----------------------------------------------------------------------------------


@transaction.atomic
def seance_create(
    *, year: int, date: date, kind: str, title: str = "", user: AbstractBaseUser | None = None
) -> Seance:
    """A new séance, en préparation, for `year` (created when missing)."""
    programme_year, _created = ProgrammeYear.objects.get_or_create(year=year)
    seance = Seance(year=programme_year, date=date, kind=kind, title=title.strip(), created_by=user)
    seance.full_clean()
    seance.save()
    return seance


@transaction.atomic
def seance_update(*, seance: Seance, date: date, kind: str, title: str = "") -> Seance:
    """Change a séance's date, kind or title; a closed séance no longer changes."""
    locked = Seance.objects.select_for_update().get(pk=seance.pk)
    if locked.state == SeanceState.CLOS:
        raise ValidationError("Cette séance est close : elle ne se modifie plus.")
    locked.date, locked.kind, locked.title = date, kind, title.strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def seance_change_state(*, seance: Seance, state: str) -> Seance:
    """en préparation → tenu → clos (a séance held may go back to preparation until its
    decision is applied)."""
    locked = Seance.objects.select_for_update().get(pk=seance.pk)
    if state not in STATE_MOVES.get(locked.state, ()):
        raise ValidationError(
            "Une séance « %(from)s » ne peut pas passer à l'état « %(to)s ».",
            params={
                "from": SeanceState(locked.state).label,
                "to": SeanceState(state).label if state in SeanceState.values else state,
            },
        )
    if state == SeanceState.EN_PREPARATION and locked.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle ne revient pas en préparation."
        )
    locked.state = state
    locked.save(update_fields=["state", "updated_at"])
    seance.state = state
    return locked


# The agenda -------------------------------------------------------------------------------


@dataclass
class AgendaResult:
    """What adding dossiers to an agenda did: those added, and each refused one with why."""

    added: list[Project] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (dossier or id, French reason)


def _check_agenda_open(seance: Seance) -> None:
    if seance.state != SeanceState.EN_PREPARATION:
        raise ValidationError(
            f"L'ordre du jour de la séance « {seance.label} » ne change plus : elle est "
            f"« {SeanceState(seance.state).label.lower()} »."
        )


def _open_scenarios(seance: Seance) -> list[Scenario]:
    return list(Scenario.objects.filter(seance=seance, frozen=False, applied_at__isnull=True))


def _add_rows(scenarios: Iterable[Scenario], projects: Sequence[Project]) -> None:
    """Rows for `projects` in each scenario: a favourable opinion, each funding line at its
    requested amount. Three queries whatever the number of dossiers."""
    scenarios = list(scenarios)
    if not scenarios or not projects:
        return
    lines = list(
        FundingLine.objects.filter(project__in=[p.pk for p in projects]).order_by(
            "project_id", "position", "id"
        )
    )
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=scenario, project_id=project.pk)
        for scenario in scenarios
        for project in projects
    )
    ScenarioLine.objects.bulk_create(
        ScenarioLine(
            scenario=scenario,
            project_id=line.project_id,
            funder_id=line.funder_id,
            funding_line=line,
            requested=line.amount_requested,
            proposed=line.amount_requested,
        )
        for scenario in scenarios
        for line in lines
    )


@transaction.atomic
def agenda_add_projects(
    *, seance: Seance, project_ids: Iterable[int], user: AbstractBaseUser | None = None
) -> AgendaResult:
    """Put dossiers on a séance's agenda (the dossier list's bulk action calls it too).

    Each dossier that cannot be added is refused with its reason, the others are added: a
    dossier of another year, one already decided or still a draft, one already on this agenda
    or on the agenda of another open séance (a dossier is examined by one séance at a time).
    The séance must be in preparation (else ValidationError, nothing added)."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    _check_agenda_open(seance)
    wanted = list(dict.fromkeys(int(pk) for pk in project_ids))
    # Locked in one order: two people adding the same dossier to two séances wait for each other.
    projects = {p.pk: p for p in Project.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    elsewhere: dict[int, Seance] = {}
    for item in (
        AgendaItem.objects.filter(project_id__in=projects, seance__state__in=SeanceState.open())
        .select_related("seance")
        .order_by("seance__date")
    ):
        elsewhere.setdefault(item.project_id, item.seance)
    result = AgendaResult()
    for pk in wanted:
        project = projects.get(pk)
        if project is None:
            result.refused.append((f"n° {pk}", "ce dossier n'existe pas."))
            continue
        label = dossier_label(project)
        other = elsewhere.get(pk)
        if project.year_id != seance.year_id:
            reason = f"c'est un dossier de {project.year_id}, la séance examine l'année {seance.year_id}."
        elif project.status not in AGENDA_STATUSES:
            reason = (
                f"son statut est « {project.get_status_display()} » : seuls les dossiers déposés ou en "
                "instruction sont inscrits à l'ordre du jour."
            )
        elif other is not None and other.pk == seance.pk:
            reason = "il est déjà à l'ordre du jour de cette séance."
        elif other is not None:
            reason = (
                f"il est déjà à l'ordre du jour de la séance « {other.label} » "
                f"({SeanceState(other.state).label.lower()}) : un dossier n'est examiné que par une "
                "séance ouverte à la fois."
            )
        else:
            result.added.append(project)
            continue
        result.refused.append((label, reason))
    AgendaItem.objects.bulk_create(AgendaItem(seance=seance, project=p, added_by=user) for p in result.added)
    _add_rows(_open_scenarios(seance), result.added)
    return result


@transaction.atomic
def agenda_remove_project(*, seance: Seance, project: Project) -> None:
    """Take a dossier off a séance's agenda (and off its open scenarios)."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    _check_agenda_open(seance)
    deleted, _by_model = AgendaItem.objects.filter(seance=seance, project=project).delete()
    if not deleted:
        raise ValidationError(
            f"Le dossier {dossier_label(project)} n'est pas à l'ordre du jour de cette séance."
        )
    scenarios = _open_scenarios(seance)
    ScenarioOpinion.objects.filter(scenario__in=scenarios, project=project).delete()
    ScenarioLine.objects.filter(scenario__in=scenarios, project=project).delete()


# Scenarios --------------------------------------------------------------------------------


def _check_editable(scenario: Scenario) -> None:
    if scenario.applied_at is not None:
        raise ValidationError(f"Le scénario « {scenario.name} » a été appliqué : il ne se modifie plus.")
    if scenario.frozen:
        raise ValidationError(f"Le scénario « {scenario.name} » est figé : il se consulte sans se modifier.")
    if scenario.seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : ses scénarios ne se modifient plus.")


def _check_name(seance: Seance, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Donnez un nom au scénario."})
    if len(name) > 120:
        raise ValidationError({"name": "Le nom du scénario ne dépasse pas 120 caractères."})
    if Scenario.objects.filter(seance=seance, name__iexact=name).exclude(pk=exclude).exists():
        raise ValidationError({"name": f"Un scénario de cette séance s'appelle déjà « {name} »."})
    return name


@transaction.atomic
def scenario_create(*, seance: Seance, name: str, user: AbstractBaseUser | None = None) -> Scenario:
    """A scenario for the séance's agenda: every funding line at its requested amount, every
    dossier with a favourable opinion."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    if seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : elle n'a plus de nouveau scénario.")
    if seance.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle n'a plus de nouveau scénario."
        )
    scenario = Scenario(seance=seance, name=_check_name(seance, name), created_by=user)
    scenario.full_clean()
    scenario.save()
    projects = list(Project.objects.filter(agenda_items__seance=seance).order_by("pk"))
    _add_rows([scenario], projects)
    return scenario


@transaction.atomic
def scenario_duplicate(*, scenario: Scenario, name: str, user: AbstractBaseUser | None = None) -> Scenario:
    """A copy of `scenario` (its amounts, opinions and comments) under a new name, open for
    changes even when the original is frozen."""
    seance = Seance.objects.select_for_update().get(pk=scenario.seance_id)
    if seance.state == SeanceState.CLOS:
        raise ValidationError("La séance est close : elle n'a plus de nouveau scénario.")
    if seance.scenarios.filter(applied_at__isnull=False).exists():
        raise ValidationError(
            "La décision de cette séance a été appliquée : elle n'a plus de nouveau scénario."
        )
    copy = Scenario(seance=seance, name=_check_name(seance, name), created_by=user)
    copy.full_clean()
    copy.save()
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=copy, project_id=o.project_id, opinion=o.opinion, comment=o.comment)
        for o in ScenarioOpinion.objects.filter(scenario=scenario)
    )
    ScenarioLine.objects.bulk_create(
        ScenarioLine(
            scenario=copy,
            project_id=line.project_id,
            funder_id=line.funder_id,
            funding_line_id=line.funding_line_id,
            requested=line.requested,
            proposed=line.proposed,
        )
        for line in ScenarioLine.objects.filter(scenario=scenario)
    )
    return copy


@transaction.atomic
def scenario_rename(*, scenario: Scenario, name: str, version: int) -> Scenario:
    """Rename a scenario, if nobody renamed it since `version`."""
    locked = Scenario.objects.select_for_update(of=("self",)).select_related("seance").get(pk=scenario.pk)
    _check_editable(locked)
    if locked.version != version:
        raise ValidationError(
            f"Le scénario a été renommé « {locked.name} » par une autre personne entre-temps : rien n'a été "
            "enregistré."
        )
    locked.name = _check_name(locked.seance, name, exclude=locked.pk)
    locked.version += 1
    locked.full_clean()
    locked.save(update_fields=["name", "version", "updated_at"])
    return locked


@transaction.atomic
def scenario_refresh(*, scenario: Scenario) -> list[str]:
    """Bring a scenario up to date with its séance's agenda and its dossiers' funding lines;
    returns what changed (the differences of `scenario_differences`).

    A line still there keeps its proposed amount (a line of a dossier re-imported is found
    again by its funder and nature); a new line is proposed at its requested amount; a line
    gone is dropped; a dossier added to the agenda gets its row, one removed loses it."""
    scenario = Scenario.objects.select_for_update(of=("self",)).select_related("seance").get(pk=scenario.pk)
    _check_editable(scenario)
    differences = selectors.scenario_differences(scenario)
    if not differences:
        return []
    agenda = set(AgendaItem.objects.filter(seance_id=scenario.seance_id).values_list("project_id", flat=True))
    rows = set(ScenarioOpinion.objects.filter(scenario=scenario).values_list("project_id", flat=True))
    gone = rows - agenda
    ScenarioOpinion.objects.filter(scenario=scenario, project_id__in=gone).delete()
    ScenarioLine.objects.filter(scenario=scenario, project_id__in=gone).delete()
    ScenarioOpinion.objects.bulk_create(
        ScenarioOpinion(scenario=scenario, project_id=pk) for pk in agenda - rows
    )

    current = defaultdict(list)
    for line in FundingLine.objects.filter(project_id__in=agenda).select_related("funder"):
        current[line.project_id].append(line)
    kept: dict[int, ScenarioLine] = {}
    orphans: dict[tuple[int, int], list[ScenarioLine]] = defaultdict(list)
    for line in ScenarioLine.objects.filter(scenario=scenario, project_id__in=agenda):
        if line.funding_line_id is None:
            orphans[(line.project_id, line.funder_id)].append(line)
        else:
            kept[line.funding_line_id] = line
    to_create, to_update = [], []
    for project_id, lines in current.items():
        for funding_line in lines:
            line = kept.pop(funding_line.pk, None)
            if line is None and orphans.get((project_id, funding_line.funder_id)):
                # The same funder's line, replaced by a re-import: its proposal carries over.
                line = orphans[(project_id, funding_line.funder_id)].pop(0)
                line.funding_line = funding_line
            if line is None:
                to_create.append(
                    ScenarioLine(
                        scenario=scenario,
                        project_id=project_id,
                        funder_id=funding_line.funder_id,
                        funding_line=funding_line,
                        requested=funding_line.amount_requested,
                        proposed=funding_line.amount_requested,
                    )
                )
                continue
            line.funder_id = funding_line.funder_id
            line.requested = funding_line.amount_requested
            to_update.append(line)
    stale = [line.pk for line in kept.values()] + [line.pk for group in orphans.values() for line in group]
    ScenarioLine.objects.filter(pk__in=stale).delete()
    ScenarioLine.objects.bulk_update(to_update, ["funding_line", "funder", "requested"])
    ScenarioLine.objects.bulk_create(to_create)
    # Every row changed under the pages showing it.
    ScenarioOpinion.objects.filter(scenario=scenario).update(version=F("version") + 1)
    return differences


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
    _check_editable(scenario)
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
    _check_editable(scenario)
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
    _check_editable(scenario)
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


# Applying a comité's decision ----------------------------------------------------------------


@dataclass
class ApplyResult:
    programmed: list[Project] = field(default_factory=list)
    refused: list[Project] = field(default_factory=list)
    postponed: list[Project] = field(default_factory=list)
    decisions: int = 0


class ScenarioChangedError(ValidationError):
    """The agenda or its dossiers changed since the scenario was built: `differences` lists
    them, in French."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        super().__init__(
            [
                "Le scénario ne correspond plus à l'ordre du jour et aux dossiers : mettez-le à jour, "
                "vérifiez-le, puis appliquez-le.",
                *differences,
            ]
        )


def _line_decision(opinion: str, proposed: Decimal | None) -> tuple[str, Decimal | None]:
    """A funder's decision on its line, and the amount then granted (None: left as it is)."""
    if opinion == Opinion.DEFAVORABLE:
        return Decision.REFUSE, Decimal("0.00")
    if opinion == Opinion.AJOURNE:
        return Decision.EN_ATTENTE, None
    if proposed is None:
        return Decision.EN_ATTENTE, None
    if proposed == 0:
        return Decision.REFUSE, Decimal("0.00")
    return Decision.ACCORDE, proposed


@transaction.atomic
def scenario_apply(*, scenario: Scenario, user: AbstractBaseUser) -> ApplyResult:
    """Apply a scenario: the comité's decision. The direction only, once the séance is held,
    once per séance, and only a scenario that matches the agenda and its dossiers as they are.

    Each funding line gets its funder's decision (accordé, refusé, en attente) and its granted
    amount; each dossier moves through the workflow (`project_change_status`) with the séance's
    date as its decision date: favourable → programmé, défavorable → refusé, ajourné → left in
    instruction (a dossier only déposé is put in instruction first). The history records who
    and which comité. The séance's other scenarios are frozen. All in one transaction."""
    if not (user.has_perm(APPLY_PERMISSION) and user.has_perm(DECIDE_PERMISSION)):
        raise PermissionDenied("Seule la direction applique la décision d'un comité.")

    seance = Seance.objects.select_for_update().get(pk=scenario.seance_id)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario.seance = seance
    applied = seance.scenarios.filter(applied_at__isnull=False).first()
    if applied is not None:
        raise ValidationError(
            f"La décision de cette séance a déjà été appliquée (scénario « {applied.name} », le "
            f"{timezone.localtime(applied.applied_at):%d/%m/%Y à %H:%M}) : elle ne s'applique qu'une fois."
        )
    if seance.state != SeanceState.TENU:
        raise ValidationError(
            "La décision s'applique une fois le comité tenu : la séance est "
            f"« {SeanceState(seance.state).label.lower()} »."
        )
    if scenario.frozen:
        raise ValidationError(f"Le scénario « {scenario.name} » est figé : dupliquez-le pour l'appliquer.")
    differences = selectors.scenario_differences(scenario)
    if differences:
        raise ScenarioChangedError(differences)

    label = seance.label
    now = timezone.now()
    rows = list(
        ScenarioOpinion.objects.filter(scenario=scenario).select_related("project").order_by("project_id")
    )
    lines_of: dict[int, list[ScenarioLine]] = defaultdict(list)
    for line in ScenarioLine.objects.filter(scenario=scenario).select_related("funding_line").order_by("id"):
        lines_of[line.project_id].append(line)

    decisions, granted = [], []
    for row in rows:
        for line in lines_of[row.project_id]:
            decision, amount = _line_decision(row.opinion, line.proposed)
            decisions.append(
                FundingDecision(
                    seance=seance,
                    scenario=scenario,
                    funding_line=line.funding_line,
                    project_id=row.project_id,
                    funder_id=line.funder_id,
                    decision=decision,
                    amount=amount if decision != Decision.EN_ATTENTE else None,
                    decided_on=seance.date,
                    decided_by=user,
                )
            )
            if amount is not None or (row.opinion == Opinion.FAVORABLE and line.proposed is None):
                funding_line = line.funding_line
                if funding_line.amount_granted != amount:
                    funding_line.amount_granted = amount
                    granted.append(funding_line)
    if granted:
        bulk_update_with_history(
            granted,
            FundingLine,
            ["amount_granted"],
            default_user=user,
            default_change_reason=f"Décision du comité : {label}",
            default_date=now,
        )
    FundingDecision.objects.bulk_create(decisions)

    result = ApplyResult(decisions=len(decisions))
    targets = {Opinion.FAVORABLE: Status.PROGRAMME, Opinion.DEFAVORABLE: Status.REFUSE}
    for row in rows:
        project = row.project
        verdict = Opinion(row.opinion).label.lower()
        comment = f"{label} : avis {verdict}" + (f" — {row.comment}" if row.comment else "")
        comment = comment[:255]
        if project.status == Status.DEPOSE:
            project_change_status(
                project=project, to_status=Status.EN_INSTRUCTION, user=user, comment=comment
            )
        target = targets.get(row.opinion)
        if target is None:
            result.postponed.append(project)
            continue
        project_change_status(
            project=project, to_status=target, user=user, decision_date=seance.date, comment=comment
        )
        (result.programmed if target == Status.PROGRAMME else result.refused).append(project)

    scenario.applied_at, scenario.applied_by, scenario.frozen = now, user, True
    try:
        scenario.save(update_fields=["applied_at", "applied_by", "frozen", "updated_at"])
    except IntegrityError as error:  # pragma: no cover - the séance's lock above prevents it
        raise ValidationError("La décision de cette séance a déjà été appliquée.") from error
    Scenario.objects.filter(seance=seance).exclude(pk=scenario.pk).update(frozen=True)
    return result

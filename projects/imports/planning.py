"""The plan of an import: the file's dossiers compared with the database, before anything is
written.

Each dossier of the file is new (`DossierCreation`), changed (`DossierUpdate`: which fields,
whether its funding lines and its quartiers are replaced) or unchanged; each status it takes is
a `StatusMove`; the porteurs to create or complete come from `operators.OperatorResolver`. A
dossier the importing user may not write as the file says (`refusal`) is an error of its row,
and the plan goes no further than `MAX_ERRORS` of them. `writing.write_plan` writes a plan
without error.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Operator, ProgrammeYear, Project
from projects.services import (
    ALLOWED_TRANSITIONS,
    DECIDED,
    DECISIONS,
    check_guards,
    decision_date_after,
    status_label,
)
from projects.services.dossiers import GRANTED_AMOUNTS_FROZEN, granted_amounts, granted_amounts_frozen

from .links import protected_projects
from .operators import OperatorResolver
from .parsing import MAX_ERRORS, Dossier, ImportIssue, Row
from .rights import ImportRights


@dataclass(frozen=True)
class NewLine:
    """A funding line to write: the file's values, written as a row (no model instance)."""

    funder_id: int
    nature: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    position: int


@dataclass(frozen=True)
class StatusMove:
    """A status a dossier takes (`from_status` empty for a new dossier): a `StatusChange` to
    record."""

    project: Project
    from_status: str
    to_status: str


@dataclass
class DossierCreation:
    """A dossier the file adds: `project` is unsaved, its fields set but its porteur, which may
    be new too (`operator`, assigned when written)."""

    project: Project
    operator: Operator
    lines: list[NewLine]
    quartier_ids: frozenset[int]


@dataclass
class DossierUpdate:
    """A dossier the file changes: `project` is the stored one (locked unless a dry run), its
    fields already set to the file's values and its version to the next one."""

    project: Project
    operator: Operator
    lines: list[NewLine]
    quartier_ids: frozenset[int]
    # The fields whose value changes (names of `Project`'s fields).
    changed_fields: list[str]
    # Its funding lines, or its quartiers, are replaced by the file's.
    lines_changed: bool
    quartiers_changed: bool


@dataclass
class Plan:
    years: list[int]
    operators: OperatorResolver
    # The date of the import: the dossiers' `updated_at` and the audit trail's date.
    now: datetime
    creations: list[DossierCreation] = field(default_factory=list)
    updates: list[DossierUpdate] = field(default_factory=list)
    status_moves: list[StatusMove] = field(default_factory=list)
    unchanged: int = 0
    # Funding lines read, of the dossiers planned so far.
    lines: int = 0
    # (year, reference, action) of every dossier planned, in the file's order, for the preview.
    actions: list[tuple[int, str, str]] = field(default_factory=list)


def plan_import(
    rows: list[Row],
    dossiers: dict[tuple[int, str], Dossier],
    *,
    rights: ImportRights,
    lock: bool,
    errors: list[ImportIssue],
) -> Plan | None:
    """The plan of the file's `dossiers` (`parsing.group_dossiers`), errors appended to
    `errors`; None when a porteur is described two ways. With `lock`, the stored dossiers of
    the file are locked until the transaction ends: a dossier saved meanwhile (form, workflow)
    can neither be overwritten by the import nor overwrite it, and each version is taken once."""
    resolver = OperatorResolver(rows)
    operator_of: dict[tuple[int, str], Operator] = {}
    for key, dossier in dossiers.items():
        # The porteur's columns are dossier columns, already checked to agree on its rows.
        operator_of[key] = resolver.resolve(dossier.first, errors)
    if errors:
        return None

    years = sorted({year for year, _ in dossiers})
    references = {reference for _, reference in dossiers}
    matching = Project.objects.filter(year_id__in=years, reference__in=references)
    if lock:
        matching = matching.select_for_update()
    existing = {
        (project.year_id, project.reference): project
        for project in matching.prefetch_related("funding_lines", "quartiers")
    }
    # Dossiers whose lines have payments: the import may not replace those lines.
    protected = protected_projects([project.pk for project in existing.values()])
    plan = Plan(years=years, operators=resolver, now=timezone.now())
    # The years' committee dates, for the decision date of a dossier decided by this import.
    known_years = {year.year: year for year in ProgrammeYear.objects.filter(year__in=years)}

    for key, dossier in dossiers.items():
        first = dossier.first
        operator = operator_of[key]
        new_lines = [
            NewLine(row.funder.pk, row.nature, row.requested, row.granted, position)
            for position, row in enumerate(dossier.lines, start=1)
        ]
        plan.lines += len(new_lines)
        project = existing.get(key)
        error = refusal(project, dossier, new_lines, rights)
        if error is not None:
            errors.append(error)
            if len(errors) > MAX_ERRORS:
                break
            continue
        year = known_years.get(first.year) or ProgrammeYear(year=first.year)
        if project is None:
            project = Project(
                year_id=first.year,
                reference=first.reference,
                title=first.title,
                pillar_id=first.pillar.pk,
                theme_id=first.theme.pk,
                status=first.status,
                decision_date=decision_date_after(
                    from_status="", to_status=first.status, current=None, year=year
                ),
            )
            plan.creations.append(DossierCreation(project, operator, new_lines, first.quartier_ids))
            plan.actions.append((first.year, first.reference, "création"))
            plan.status_moves.append(StatusMove(project, "", first.status))
            continue

        update = _update(project, first, operator, new_lines, year, plan)
        if update is not None and update.lines_changed and project.pk in protected:
            errors.append(
                ImportIssue(
                    first.number,
                    "financeur",
                    f"le dossier {first.reference} de {first.year} a des versements enregistrés : ses lignes de "
                    "financement ne peuvent plus être remplacées par un import (modifiez-les depuis sa fiche)",
                )
            )
            continue
        if update is None:
            plan.unchanged += 1
            plan.actions.append((first.year, first.reference, "inchangé"))
            continue
        plan.updates.append(update)
        plan.actions.append((first.year, first.reference, "mise à jour"))
    return plan


def _lines_signature(lines) -> list[tuple]:
    return sorted((line.funder_id, line.nature, line.amount_requested, line.amount_granted) for line in lines)


def _update(
    project: Project,
    first: Row,
    operator: Operator,
    new_lines: list[NewLine],
    year: ProgrammeYear,
    plan: Plan,
) -> DossierUpdate | None:
    """The update of a stored dossier to the file's values, its status move added to the
    plan's; None when the file changes nothing of it."""
    lines_changed = _lines_signature(project.funding_lines.all()) != _lines_signature(new_lines)
    quartiers_changed = {q.pk for q in project.quartiers.all()} != set(first.quartier_ids)
    fields_changed = (
        project.title != first.title
        or project.pillar_id != first.pillar.pk
        or project.theme_id != first.theme.pk
        or project.status != first.status
        or project.operator_id != operator.pk
        or operator.pk is None
    )
    if not (lines_changed or quartiers_changed or fields_changed):
        return None
    decision_date = project.decision_date
    if project.status != first.status:
        plan.status_moves.append(StatusMove(project, project.status, first.status))
        decision_date = decision_date_after(
            from_status=project.status, to_status=first.status, current=decision_date, year=year
        )
    changed_fields = [
        name
        for name, before, after in (
            ("title", project.title, first.title),
            ("pillar", project.pillar_id, first.pillar.pk),
            ("theme", project.theme_id, first.theme.pk),
            ("status", project.status, first.status),
            ("decision_date", project.decision_date, decision_date),
            ("operator", project.operator_id, operator.pk),
        )
        if before != after or (name == "operator" and after is None)
    ]
    project.title, project.pillar_id, project.theme_id = first.title, first.pillar.pk, first.theme.pk
    project.status, project.decision_date, project.updated_at = first.status, decision_date, plan.now
    project.version += 1
    return DossierUpdate(
        project=project,
        operator=operator,
        lines=new_lines,
        quartier_ids=first.quartier_ids,
        changed_fields=changed_fields,
        lines_changed=lines_changed,
        quartiers_changed=quartiers_changed,
    )


def refusal(
    project: Project | None, dossier: Dossier, lines: list[NewLine], rights: ImportRights
) -> ImportIssue | None:
    """The error of a dossier whose status or granted amounts the import may not write, or None.

    Reported on the dossier's first row for its status (every row of a dossier agrees on it),
    on its first row that changes a granted amount for those."""
    first = dossier.first
    wanted = first.status
    if project is None:
        if wanted in DECIDED and not rights.may_decide:
            why = "une décision du comité" if wanted in DECISIONS else "un statut qui suit la programmation"
            return ImportIssue(
                first.number,
                "statut",
                f"seule la direction peut créer un dossier au statut « {status_label(wanted)} » ({why}) : "
                "importez-le au statut « En instruction », la direction le programmera ou le refusera "
                "depuis sa fiche",
            )
        return None
    if rights.any_move:
        return None
    current = project.status

    def where() -> str:
        return f"le dossier {first.reference} de {first.year} est au statut « {status_label(current)} »"

    if wanted != current:
        allowed = ALLOWED_TRANSITIONS.get(current, ())
        if wanted not in allowed:
            steps = ", ".join(f"« {status_label(status)} »" for status in allowed)
            return ImportIssue(
                first.number,
                "statut",
                f"{where()} : il ne peut pas passer au statut « {status_label(wanted)} » "
                + (
                    f"(depuis ce statut, le circuit d'instruction permet : {steps})"
                    if steps
                    else "(aucun changement de statut n'est possible depuis celui-ci)"
                ),
            )
        if wanted in DECISIONS and not rights.may_decide:
            return ImportIssue(
                first.number,
                "statut",
                f"{where()} : seule la direction peut le passer au statut « {status_label(wanted)} » "
                "(une décision du comité)",
            )
        try:
            # What other apps require of the move (the payments complete before `solde`).
            check_guards(project=project, to_status=wanted)
        except ValidationError as error:
            return ImportIssue(first.number, "statut", f"{where()} : {' '.join(error.messages)}")
    if granted_amounts_frozen(status=current, may_decide=rights.may_decide):
        stored = granted_amounts(project.funding_lines.all())
        if stored != granted_amounts(lines):
            # The first row granting what the dossier does not have; else the file drops a
            # granted line: the dossier's first row.
            remaining, row = stored.copy(), first
            for line, line_row in zip(lines, dossier.lines, strict=True):
                if line.amount_granted:
                    key = (line.funder_id, line.nature, line.amount_granted)
                    if remaining[key] <= 0:
                        row = line_row
                        break
                    remaining[key] -= 1
            return ImportIssue(row.number, "montant_accorde", f"{where()} : {GRANTED_AMOUNTS_FROZEN}")
    return None

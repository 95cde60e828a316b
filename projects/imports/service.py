"""The programmation import's entry point: `programmation_import` checks a whole file, then
writes it in one transaction, or writes nothing (docs/import-format.md).

`programmation_import` implements docs/import-format.md. The whole file is checked first; if any row has an error nothing is written and every error is
returned with its row and column; otherwise everything is written in one transaction.
Importing the same file twice changes nothing. Every row written is recorded in the audit
trail, in bulk too: the importing user, the date of the import and "Import de programmation
<file>" as the reason. A dossier the import changes takes a new version, so that a dossier form
opened before the import can no longer overwrite it.

The steps, one module each: the file's format (`format`), its cells read into rows and
dossiers (`parsing`), the porteurs matched (`operators`), the importing user's rights
(`rights`), the plan of what to create and update (`planning`), the rows written (`writing`)
with their audit trail (`history`).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from contratville.tabular import TableError, read_table

from .format import COLUMNS, DOSSIER_COLUMNS, OPTIONAL_COLUMNS
from .history import HistoryWriter
from .parsing import MAX_ERRORS, ImportIssue, Row, Vocabulary, check_headers, group_dossiers, read_rows
from .planning import Plan, plan_import
from .rights import (
    COMMAND_LINE,
    HISTORY_REASON,
    IMPORT_PERMISSION,
    RECOVERY_REASON,
    ImportRights,
    import_rights,
)
from .writing import write_plan

__all__ = [
    "COLUMNS",
    "COMMAND_LINE",
    "DOSSIER_COLUMNS",
    "HISTORY_REASON",
    "IMPORT_PERMISSION",
    "MAX_ERRORS",
    "OPTIONAL_COLUMNS",
    "RECOVERY_REASON",
    "ImportIssue",
    "ImportResult",
    "ImportRights",
    "Row",
    "import_rights",
    "programmation_import",
]


@dataclass
class ImportResult:
    """What an import did, or would do (`dry_run`), or every error that stopped it."""

    dry_run: bool = False
    errors: list[ImportIssue] = field(default_factory=list)
    projects_created: int = 0
    projects_updated: int = 0
    projects_unchanged: int = 0
    lines: int = 0
    operators_created: int = 0
    operators_updated: int = 0
    rows: int = 0
    years: list[int] = field(default_factory=list)
    # (year, reference, action) of every dossier, for the preview.
    projects: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def projects_total(self) -> int:
        return self.projects_created + self.projects_updated + self.projects_unchanged

    def summary(self) -> str:
        if not self.ok:
            return f"{len(self.errors)} erreur(s) : rien n'a été enregistré."
        verb = "seraient" if self.dry_run else "ont été"
        text = (
            f"{self.projects_total} dossier(s) lus dans {self.rows} ligne(s) : "
            f"{self.projects_created} créé(s), {self.projects_updated} mis à jour, "
            f"{self.projects_unchanged} inchangé(s) ; {self.lines} ligne(s) de financement ; "
            f"{self.operators_created} porteur(s) créé(s), {self.operators_updated} mis à jour."
        )
        if self.dry_run:
            text += (
                f" Simulation : rien n'a été enregistré (les changements {verb} appliqués à la confirmation)."
            )
        return text


def programmation_import(
    *, content: bytes, filename: str = "", dry_run: bool = False, user=None, recovery: bool = False
) -> ImportResult:
    """Check a programmation file whole, then write it in one transaction (unless `dry_run`
    or any error).

    What the import may do is `import_rights(user=user, recovery=recovery)`: a row beyond them
    (a decision the user may not take, a status move the workflow does not allow, the granted
    amounts of a programmed dossier) is an error of its row and column "statut" or
    "montant_accorde", found by the dry run as well, and nothing is written. Raises
    PermissionDenied when the user may not import at all, or may not recover data."""
    rights = import_rights(user=user, recovery=recovery)
    result = ImportResult(dry_run=dry_run)
    errors = result.errors
    try:
        table = read_table(content, filename)
    except TableError as exc:
        errors.append(ImportIssue(None, None, str(exc)))
        return result

    names = check_headers(table.headers, errors)
    if errors:
        return result
    rows = read_rows(table, names, Vocabulary(), errors)
    result.rows = len(rows)
    if not rows:
        errors.append(ImportIssue(None, None, "Le fichier ne contient que la ligne d'en-têtes."))
    dossiers = group_dossiers(rows, errors)
    if errors:
        return result

    with transaction.atomic():
        plan = plan_import(rows, dossiers, rights=rights, lock=not dry_run, errors=errors)
        if plan is not None:
            _count(plan, result)
            if not (errors or dry_run):
                _write(plan, rights=rights, user=user, filename=filename, errors=errors)
        if errors or dry_run:
            transaction.set_rollback(True)
    return result


def _count(plan: Plan, result: ImportResult) -> None:
    result.years = plan.years
    result.operators_created = len(plan.operators.created)
    result.operators_updated = len(plan.operators.updated)
    result.lines = plan.lines
    result.projects_created = len(plan.creations)
    result.projects_updated = len(plan.updates)
    result.projects_unchanged = plan.unchanged
    result.projects = plan.actions


def _write(plan: Plan, *, rights: ImportRights, user, filename: str, errors: list[ImportIssue]) -> None:
    try:
        history = HistoryWriter(user=user, reason=rights.reason(filename), date=plan.now)
        write_plan(plan, history, user=user, comment=rights.comment)
    except IntegrityError as exc:
        errors.append(
            ImportIssue(
                None, None, f"L'enregistrement a échoué, rien n'a été enregistré (import simultané ?) : {exc}"
            )
        )

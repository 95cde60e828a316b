"""Who may import, and what one import may do to statuses and granted amounts; how its audit
trail names it. `planning.refusal` applies these rights to each dossier of a file.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from contratville import roles
from projects.services import DECIDE_PERMISSION

HISTORY_REASON = "Import de programmation"
RECOVERY_REASON = "Reprise de données (import administrateur)"
COMMAND_LINE = "import en ligne de commande"
IMPORT_PERMISSION = "projects.import_projects"


@dataclass(frozen=True)
class ImportRights:
    """What one import may do to statuses and granted amounts, and what its audit trail says of
    it (see `import_rights`)."""

    # Create or move dossiers to a decided status, change a programmed dossier's granted amounts.
    may_decide: bool
    # Any status for any dossier, outside the workflow's transitions: a data recovery.
    any_move: bool
    # The records' reason is "<label> <file> (<note>)"; the status changes' comment, "<label> (<note>)".
    label: str = HISTORY_REASON
    note: str = ""

    @property
    def comment(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label

    def reason(self, filename: str) -> str:
        text = f"{self.label} {filename}".strip()
        return f"{text} ({self.note})" if self.note else text


def import_rights(*, user, recovery: bool = False) -> ImportRights:
    """The rights of an import by `user`.

    - A person (the browser, `import_programmation --utilisateur`): that person's rights. The
      import needs `projects.import_projects`; a dossier created in, or moved to, a decided
      status (`DECIDED`) needs `projects.decide_project`, as do the granted amounts of a
      programmed dossier; a status change follows the workflow's transitions, one step.
    - `recovery` (`import_programmation --utilisateur LOGIN --reprise`): a data recovery by an
      administrator (superuser or the Administrateurs group): any status, recorded as such.
    - No user (`None`): the server's operator on the command line, who has the shell and the
      database already: every right, as a recovery, recorded as a command-line import. Code
      that serves a request always passes the signed-in user.

    Raises PermissionDenied when the user may not import, or may not recover data."""
    if recovery:
        if user is None or not roles.is_administrator(user):
            raise PermissionDenied(
                "La reprise de données est réservée aux administrateurs "
                "(superutilisateur ou groupe « Administrateurs »)."
            )
        return ImportRights(may_decide=True, any_move=True, label=RECOVERY_REASON)
    if user is None:
        return ImportRights(may_decide=True, any_move=True, note=COMMAND_LINE)
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied(f"« {user.get_username()} » n'a pas le droit d'importer une programmation.")
    return ImportRights(may_decide=user.has_perm(DECIDE_PERMISSION), any_move=False)

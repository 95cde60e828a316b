"""Writes of the funding app. The programmation import lives here because it writes dossiers
(projects) and their funding lines together.

`programmation_import` implements docs/import-format.md: the whole file is checked first; if any row
has an error nothing is written and every error is returned with its row and column; otherwise
everything is written in one transaction. Importing the same file twice changes nothing.

Every row written is recorded in the audit trail, in bulk too: the importing user, the date of
the import and "Import de programmation <file>" as the reason, on the dossiers (with their
quartiers), their funding lines (the replaced ones recorded as deleted), the operators and the
programme years. A dossier the import changes takes a new version, so that a dossier form
opened before the import can no longer overwrite it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from contratville import roles
from contratville.tabular import TableError, normalize_key, parse_amount, read_table
from projects.models import (
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
    StatusChange,
    Theme,
)
from projects.services import (
    ALLOWED_TRANSITIONS,
    DECIDE_PERMISSION,
    DECIDED,
    DECISIONS,
    decision_date_after,
    status_label,
)
from projects.services.dossiers import GRANTED_AMOUNTS_FROZEN, granted_amounts, granted_amounts_frozen
from projects.validators import normalize_siret, siret_error

COLUMNS = [
    "annee",
    "numero_dossier",
    "intitule",
    "porteur",
    "siret",
    "type_porteur",
    "pilier",
    "thematique",
    "quartiers",
    "statut",
    "financeur",
    "nature",
    "montant_demande",
    "montant_accorde",
]
OPTIONAL_COLUMNS = {"siret", "quartiers", "nature", "montant_accorde"}
# The columns that describe the dossier itself: every row of one dossier must agree on them.
DOSSIER_COLUMNS = [
    "intitule",
    "porteur",
    "siret",
    "type_porteur",
    "pilier",
    "thematique",
    "quartiers",
    "statut",
]
MAX_ERRORS = 1000
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


@dataclass(frozen=True)
class ImportIssue:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Ligne {self.row}")
        if self.column:
            where.append(f"colonne « {self.column} »")
        prefix = ", ".join(where)
        return f"{prefix} : {self.message}" if prefix else self.message


@dataclass
class ImportResult:
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


@dataclass
class Row:
    number: int
    year: int | None = None
    reference: str = ""
    title: str = ""
    operator_name: str = ""
    siret: str = ""
    operator_kind: str = ""
    pillar: Pillar | None = None
    theme: Theme | None = None
    quartier_ids: frozenset = frozenset()
    status: str = ""
    funder: Funder | None = None
    nature: str = ""
    requested: Decimal | None = None
    granted: Decimal | None = None
    raw: dict = field(default_factory=dict)
    # Columns already reported as wrong on this row: no second error about them.
    error_columns: set = field(default_factory=set)


class _Vocabulary:
    """The codes a file may use, with their labels accepted as synonyms."""

    def __init__(self):
        self.pillars = {}
        for pillar in Pillar.objects.all():
            for key in (pillar.code, pillar.label, pillar.short_label):
                if key:
                    self.pillars[normalize_key(key)] = pillar
        self.themes = {theme.code.lower(): theme for theme in Theme.objects.select_related("pillar")}
        self.funders = {}
        for funder in Funder.objects.all():
            for key in (funder.code, funder.label, funder.short_label):
                if key:
                    self.funders.setdefault(normalize_key(key), funder)
        self.quartiers = {}
        for quartier in Quartier.objects.all():
            for code in (quartier.code_2015, quartier.code_2024, quartier.local_code):
                if code:
                    self.quartiers[code.upper()] = quartier.pk
        self.kinds = _choices_map(OperatorKind)
        self.statuses = _choices_map(Status)
        self.natures = _choices_map(Nature)
        self.natures[normalize_key("spécifique")] = Nature.SPECIFIQUE
        # The rows of one file repeat a few values (the same kinds, piliers, statuses, funders,
        # SIRET and quartier lists on every line of a dossier): each distinct cell is normalised
        # and checked once per import.
        self._keys: dict[str, str] = {}
        self._collapsed: dict[str, str] = {}
        self._sirets: dict[str, tuple[str | None, str]] = {}
        self._quartier_cells: dict[str, tuple[frozenset, list[str]]] = {}

    def collapsed(self, raw: str) -> str:
        """`_collapse_spaces(raw)`, computed once per distinct value."""
        value = self._collapsed.get(raw)
        if value is None:
            value = self._collapsed[raw] = _collapse_spaces(raw)
        return value

    def key(self, raw: str) -> str:
        """`normalize_key(raw)`, computed once per distinct value."""
        key = self._keys.get(raw)
        if key is None:
            key = self._keys[raw] = normalize_key(raw)
        return key

    def siret(self, raw: str) -> tuple[str | None, str]:
        """(the error message or None, the SIRET as stored) of a SIRET cell."""
        checked = self._sirets.get(raw)
        if checked is None:
            message = siret_error(raw)
            checked = self._sirets[raw] = (message, "" if message else normalize_siret(raw))
        return checked

    def quartier_cell(self, raw: str) -> tuple[frozenset, list[str]]:
        """(the quartiers' ids, the unknown codes in the order written) of a quartiers cell."""
        parsed = self._quartier_cells.get(raw)
        if parsed is None:
            ids, unknown = set(), []
            for code in raw.replace(",", "|").split("|"):
                code = code.strip().upper()
                if not code:
                    continue
                if code in self.quartiers:
                    ids.add(self.quartiers[code])
                else:
                    unknown.append(code)
            parsed = self._quartier_cells[raw] = (frozenset(ids), unknown)
        return parsed


def _choices_map(choices) -> dict[str, str]:
    mapping = {}
    for value, label in choices.choices:
        mapping[normalize_key(value)] = value
        mapping[normalize_key(str(label))] = value
    return mapping


def _codes(choices) -> str:
    return ", ".join(choices.values)


def _collapse_spaces(value: str) -> str:
    return " ".join(value.split())


def _parse_row(number: int, cells: dict[str, str], vocab: _Vocabulary, errors: list[ImportIssue]) -> Row:
    row = Row(number=number, raw=cells)

    def error(column: str, message: str):
        errors.append(ImportIssue(number, column, message))
        row.error_columns.add(column)

    raw_year = cells.get("annee", "")
    if not raw_year:
        error("annee", "l'année est obligatoire")
    else:
        try:
            # "2022.0" is what some spreadsheets write for a number cell.
            row.year = int(raw_year[:-2] if raw_year.endswith((".0", ",0")) else raw_year)
        except ValueError:
            error("annee", f"« {raw_year} » n'est pas une année (exemple : 2022)")
        else:
            if not 2000 <= row.year <= 2100:
                error("annee", f"l'année {raw_year} est hors de la plage 2000–2100")
                row.year = None

    row.reference = vocab.collapsed(cells.get("numero_dossier", ""))
    if not row.reference:
        error("numero_dossier", "le numéro de dossier est obligatoire")
    elif len(row.reference) > 50:
        error("numero_dossier", "le numéro de dossier dépasse 50 caractères")

    row.title = vocab.collapsed(cells.get("intitule", ""))
    if not row.title:
        error("intitule", "l'intitulé est obligatoire")
    elif len(row.title) > 255:
        error("intitule", "l'intitulé dépasse 255 caractères")

    row.operator_name = vocab.collapsed(cells.get("porteur", ""))
    if not row.operator_name:
        error("porteur", "le nom du porteur est obligatoire")
    elif len(row.operator_name) > 255:
        error("porteur", "le nom du porteur dépasse 255 caractères")

    raw_siret = cells.get("siret", "")
    if raw_siret:
        message, siret = vocab.siret(raw_siret)
        if message:
            error("siret", message)
        else:
            row.siret = siret

    raw_kind = cells.get("type_porteur", "")
    row.operator_kind = vocab.kinds.get(vocab.key(raw_kind), "")
    if not raw_kind:
        error("type_porteur", f"le type de porteur est obligatoire ({_codes(OperatorKind)})")
    elif not row.operator_kind:
        error("type_porteur", f"type de porteur inconnu « {raw_kind} » (attendu : {_codes(OperatorKind)})")

    raw_pillar = cells.get("pilier", "")
    row.pillar = vocab.pillars.get(vocab.key(raw_pillar))
    if not raw_pillar:
        error("pilier", "le pilier est obligatoire")
    elif row.pillar is None:
        error(
            "pilier",
            f"pilier inconnu « {raw_pillar} » (attendu : cohesion_sociale, cadre_de_vie, emploi, pilotage)",
        )

    raw_theme = cells.get("thematique", "")
    row.theme = vocab.themes.get(raw_theme.replace(",", ".").replace(" ", "").lower())
    if not raw_theme:
        error("thematique", "la thématique est obligatoire (code ANCT, par exemple 1.1)")
    elif row.theme is None:
        error("thematique", f"thématique inconnue « {raw_theme} » (code ANCT attendu, par exemple 1.1)")
    elif row.pillar is not None and row.theme.pillar_id != row.pillar.pk:
        error(
            "thematique",
            f"la thématique {row.theme.code} relève du pilier « {row.theme.pillar.label} », "
            f"pas du pilier « {row.pillar.label} »",
        )

    row.quartier_ids, unknown = vocab.quartier_cell(cells.get("quartiers", ""))
    for code in unknown:
        error(
            "quartiers",
            f"quartier inconnu « {code} » (code QPV attendu, par exemple QP062004 ou QN06204M)",
        )

    raw_status = cells.get("statut", "")
    row.status = vocab.statuses.get(vocab.key(raw_status), "")
    if not raw_status:
        error("statut", f"le statut est obligatoire ({_codes(Status)})")
    elif not row.status:
        error("statut", f"statut inconnu « {raw_status} » (attendu : {_codes(Status)})")

    raw_funder = cells.get("financeur", "")
    raw_nature = cells.get("nature", "")
    raw_requested = cells.get("montant_demande", "")
    raw_granted = cells.get("montant_accorde", "")
    if raw_funder:
        row.funder = vocab.funders.get(vocab.key(raw_funder))
        if row.funder is None:
            error(
                "financeur", f"financeur inconnu « {raw_funder} » (attendu : un code comme anct, region, caf)"
            )
        if raw_nature:
            row.nature = vocab.natures.get(vocab.key(raw_nature), "")
            if not row.nature:
                error("nature", f"nature inconnue « {raw_nature} » (attendu : droit_commun ou specifique)")
        elif row.funder is not None:
            row.nature = row.funder.default_nature
        if not raw_requested:
            error("montant_demande", "le montant demandé est obligatoire pour une ligne de financement")
        for column, raw in (("montant_demande", raw_requested), ("montant_accorde", raw_granted)):
            if raw:
                try:
                    amount = parse_amount(raw)
                except ValueError as exc:
                    error(column, str(exc))
                else:
                    setattr(row, "requested" if column == "montant_demande" else "granted", amount)
    else:
        for column, raw in (
            ("nature", raw_nature),
            ("montant_demande", raw_requested),
            ("montant_accorde", raw_granted),
        ):
            if raw:
                error(column, f"« {raw} » est donné sans financeur : indiquez le code du financeur")
    return row


def _dossier_values(row: Row) -> dict[str, object]:
    return {
        "intitule": row.title,
        "porteur": row.operator_name,
        "siret": row.siret,
        "type_porteur": row.operator_kind,
        "pilier": row.pillar.pk if row.pillar else None,
        "thematique": row.theme.pk if row.theme else None,
        "quartiers": row.quartier_ids,
        "statut": row.status,
    }


def _check_headers(headers: list[str], errors: list[ImportIssue]) -> list[str | None]:
    """The column name of each position (None for an empty, ignorable column)."""
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = normalize_key(header)
        if not key:
            names.append(None)
            continue
        if key not in COLUMNS:
            errors.append(
                ImportIssue(1, header, f"colonne inconnue (colonnes attendues : {', '.join(COLUMNS)})")
            )
        elif key in seen:
            errors.append(ImportIssue(1, header, f"colonne en double (déjà en position {seen[key]})"))
        seen.setdefault(key, position)
        names.append(key if key in COLUMNS else None)
    for column in COLUMNS:
        if column not in seen and column not in OPTIONAL_COLUMNS:
            errors.append(ImportIssue(1, column, "colonne obligatoire absente de la ligne d'en-têtes"))
    return names


@dataclass
class _Dossier:
    first: Row
    # `_dossier_values(first)`, which every other row of the dossier must match.
    values: dict
    lines: list[Row] = field(default_factory=list)


class _OperatorResolver:
    """Matches each row's porteur to an operator: by SIRET when given, else by exact name
    (then by name ignoring case); creates it when new. Within one file, one porteur must
    always be described the same way."""

    def __init__(self, rows: list[Row]):
        sirets = {row.siret for row in rows if row.siret}
        names = {row.operator_name for row in rows if row.operator_name}
        existing = list(Operator.objects.filter(Q(siret__in=sirets) | Q(name__in=names)).order_by("id"))
        # Case-insensitive fallback: one more look-up, only for names with no exact match.
        exact = {operator.name for operator in existing}
        missing = sorted(name for name in names if name not in exact)
        extra = list(_operators_named_ignoring_case(missing).order_by("id")) if missing else []
        self.by_siret: dict[str, Operator] = {}
        self.by_name: dict[str, Operator] = {}
        self.by_folded_name: dict[str, Operator] = {}
        for operator in [*existing, *extra]:
            if operator.siret:
                self.by_siret.setdefault(operator.siret, operator)
            self.by_name.setdefault(operator.name, operator)
            self.by_folded_name.setdefault(operator.name.casefold(), operator)
        self.created: list[Operator] = []
        self.updated: dict[int, Operator] = {}
        self.first_row: dict[int, Row] = {}

    def resolve(self, row: Row, errors: list[ImportIssue]) -> Operator:
        operator = None
        if row.siret:
            operator = self.by_siret.get(row.siret)
            if operator is None:
                # Known by name without a SIRET yet: the file completes it.
                candidate = self.by_name.get(row.operator_name)
                if candidate is not None and not candidate.siret:
                    operator = candidate
        else:
            operator = self.by_name.get(row.operator_name) or self.by_folded_name.get(
                row.operator_name.casefold()
            )
        if operator is None:
            operator = Operator(name=row.operator_name, kind=row.operator_kind, siret=row.siret)
            self.created.append(operator)
            self._remember(operator)
            self.first_row[id(operator)] = row
            return operator

        first = self.first_row.get(id(operator))
        if first is None:
            self.first_row[id(operator)] = row
            changed = False
            if row.siret and operator.siret != row.siret:
                operator.siret, changed = row.siret, True
            if row.siret and operator.name != row.operator_name:
                operator.name, changed = row.operator_name, True
            if operator.kind != row.operator_kind:
                operator.kind, changed = row.operator_kind, True
            if changed and operator.pk:
                self.updated[operator.pk] = operator
            self._remember(operator)
        else:
            if first.operator_kind != row.operator_kind:
                errors.append(
                    ImportIssue(
                        row.number,
                        "type_porteur",
                        f"le porteur « {row.operator_name} » est de type « {first.operator_kind} » à la ligne "
                        f"{first.number} mais « {row.operator_kind} » ici",
                    )
                )
            if row.siret and first.siret == row.siret and first.operator_name != row.operator_name:
                errors.append(
                    ImportIssue(
                        row.number,
                        "porteur",
                        f"le SIRET {row.siret} désigne « {first.operator_name} » à la ligne {first.number} "
                        f"mais « {row.operator_name} » ici",
                    )
                )
        return operator

    def _remember(self, operator: Operator):
        if operator.siret:
            self.by_siret[operator.siret] = operator
        self.by_name.setdefault(operator.name, operator)
        self.by_folded_name.setdefault(operator.name.casefold(), operator)


def _operators_named_ignoring_case(names: list[str]):
    """The operators whose name is one of `names` ignoring case, as `name__iexact` matches.

    On PostgreSQL, one `UPPER(name) IN (SELECT UPPER(…) FROM unnest(…))` (a hashed semi-join)
    rather than an OR of one `UPPER(name) = UPPER(%s)` per name, which compares every operator
    with every name: ~0.6 s for 400 new porteurs among 10,000 operators."""
    connection = connections[Operator.objects.db]
    if connection.vendor != "postgresql":
        folded = Q()
        for name in names:
            folded |= Q(name__iexact=name)
        return Operator.objects.filter(folded)
    column = "{}.{}".format(
        connection.ops.quote_name(Operator._meta.db_table),
        connection.ops.quote_name(Operator._meta.get_field("name").column),
    )
    return Operator.objects.filter(
        RawSQL(
            f"UPPER({column}::text) IN (SELECT UPPER(wanted) FROM unnest(%s::text[]) AS wanted)",
            [names],
            output_field=models.BooleanField(),
        )
    )


def _lines_signature(lines) -> list[tuple]:
    return sorted((line.funder_id, line.nature, line.amount_requested, line.amount_granted) for line in lines)


@dataclass(frozen=True)
class _Line:
    """A funding line to write: the file's values, written as a row (no model instance)."""

    funder_id: int
    nature: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    position: int


@dataclass(frozen=True)
class _StatusChange:
    project: Project
    from_status: str
    to_status: str


def _refusal(
    project: Project | None, dossier: _Dossier, lines: list[_Line], rights: ImportRights
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

    names = _check_headers(table.headers, errors)
    if errors:
        return result

    vocab = _Vocabulary()
    rows: list[Row] = []
    for number, cells in table.rows:
        values: dict[str, str] = {}
        for position, cell in enumerate(cells):
            name = names[position] if position < len(names) else None
            if name:
                values[name] = cell
            elif cell:
                errors.append(
                    ImportIssue(
                        number, f"colonne {position + 1}", f"valeur « {cell} » dans une colonne sans en-tête"
                    )
                )
        rows.append(_parse_row(number, values, vocab, errors))
        if len(errors) > MAX_ERRORS:
            break
    result.rows = len(rows)
    if not rows:
        errors.append(ImportIssue(None, None, "Le fichier ne contient que la ligne d'en-têtes."))

    dossiers: dict[tuple[int, str], _Dossier] = {}
    for row in rows:
        if row.year is None or not row.reference:
            continue
        key = (row.year, row.reference)
        dossier = dossiers.get(key)
        if dossier is None:
            dossiers[key] = dossier = _Dossier(first=row, values=_dossier_values(row))
        elif (values := _dossier_values(row)) != dossier.values:
            expected = dossier.values
            for column, value in values.items():
                if column in row.error_columns or column in dossier.first.error_columns:
                    continue
                if value != expected[column]:
                    shown = row.raw.get(column, "") or "(vide)"
                    first_shown = dossier.first.raw.get(column, "") or "(vide)"
                    errors.append(
                        ImportIssue(
                            row.number,
                            column,
                            f"« {shown} » diffère de « {first_shown} » (ligne {dossier.first.number}) pour le dossier "
                            f"{row.reference} de {row.year} : les lignes d'un même dossier doivent concorder",
                        )
                    )
        if row.funder is not None:
            dossier.lines.append(row)
    if errors:
        return result

    with transaction.atomic():
        _plan_and_write(result, rows, dossiers, dry_run=dry_run, user=user, rights=rights, filename=filename)
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result


def _plan_and_write(
    result: ImportResult, rows, dossiers, *, dry_run: bool, user, rights: ImportRights, filename: str
) -> None:
    errors = result.errors
    resolver = _OperatorResolver(rows)
    operator_of: dict[tuple[int, str], Operator] = {}
    for key, dossier in dossiers.items():
        # The porteur's columns are dossier columns, already checked to agree on its rows.
        operator_of[key] = resolver.resolve(dossier.first, errors)
    if errors:
        return

    years = sorted({year for year, _ in dossiers})
    result.years = years
    references = {reference for _, reference in dossiers}
    matching = Project.objects.filter(year_id__in=years, reference__in=references)
    if not dry_run:
        # Locked until the import commits: a dossier saved meanwhile (form, workflow) can neither
        # be overwritten by the import nor overwrite it, and each version is taken once.
        matching = matching.select_for_update()
    existing = {
        (project.year_id, project.reference): project
        for project in matching.prefetch_related("funding_lines", "quartiers")
    }
    result.operators_created = len(resolver.created)
    result.operators_updated = len(resolver.updated)
    now = timezone.now()
    # The years' committee dates, for the decision date of a dossier decided by this import.
    known_years = {year.year: year for year in ProgrammeYear.objects.filter(year__in=years)}

    to_create: list[tuple[Project, _Dossier]] = []
    to_update: list[tuple[Project, _Dossier, bool, bool]] = []
    status_changes: list[_StatusChange] = []
    for key, dossier in dossiers.items():
        first = dossier.first
        operator = operator_of[key]
        new_lines = [
            _Line(row.funder.pk, row.nature, row.requested, row.granted, position)
            for position, row in enumerate(dossier.lines, start=1)
        ]
        result.lines += len(new_lines)
        project = existing.get(key)
        refusal = _refusal(project, dossier, new_lines, rights)
        if refusal is not None:
            errors.append(refusal)
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
            project._operator = operator
            project._lines = new_lines
            project._quartier_ids = first.quartier_ids
            to_create.append((project, dossier))
            result.projects_created += 1
            result.projects.append((first.year, first.reference, "création"))
            status_changes.append(_StatusChange(project, "", first.status))
            continue

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
            result.projects_unchanged += 1
            result.projects.append((first.year, first.reference, "inchangé"))
            continue
        decision_date = project.decision_date
        if project.status != first.status:
            status_changes.append(_StatusChange(project, project.status, first.status))
            decision_date = decision_date_after(
                from_status=project.status, to_status=first.status, current=decision_date, year=year
            )
        project._changed_fields = [
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
        project.status, project.decision_date, project.updated_at = first.status, decision_date, now
        project.version += 1
        project._operator = operator
        project._lines = new_lines
        project._quartier_ids = first.quartier_ids
        to_update.append((project, dossier, lines_changed, quartiers_changed))
        result.projects_updated += 1
        result.projects.append((first.year, first.reference, "mise à jour"))

    if errors or dry_run:
        return

    try:
        history = _History(user=user, reason=rights.reason(filename), date=now)
        _write(years, resolver, to_create, to_update, status_changes, now, history, user, rights.comment)
    except IntegrityError as exc:
        errors.append(
            ImportIssue(
                None, None, f"L'enregistrement a échoué, rien n'a été enregistré (import simultané ?) : {exc}"
            )
        )


class _History:
    """The audit trail's records of one import, written in bulk: the same user, date and reason
    ("Import de programmation <file>") for all.

    Each model's records are written by one `INSERT … SELECT` from the rows just written (or,
    for "-", about to be deleted): the database copies the tracked fields' stored values into
    the historical table, which is what simple-history records (the tracked fields' values),
    without building a Python value, an instance or a parameter per field and record (~16,000
    records for a 10,000-row file)."""

    def __init__(self, *, user, reason: str, date):
        self.user_id = getattr(user, "pk", None)
        self.reason = reason
        self.date = date

    def record(self, model, history_type: str, keys, *, by: str = "pk", order_by=("pk",)) -> None:
        """Record, with `history_type` "+", "~" or "-", the rows of `model` whose field `by` is
        one of `keys`, in the order of `order_by` (the order their history ids are taken in)."""
        keys = list(keys)
        if not keys:
            return
        historical = model.history.model
        connection = connections[historical.objects.db]
        quote = connection.ops.quote_name
        meta, history_meta = model._meta, historical._meta
        tracked = historical.tracked_fields
        columns = [history_meta.get_field(field.name).column for field in tracked] + [
            history_meta.get_field(name).column
            for name in ("history_date", "history_change_reason", "history_type", "history_user")
        ]

        def column(name: str) -> str:
            return "t." + quote((meta.pk if name == "pk" else meta.get_field(name)).column)

        source = [column(field.name) for field in tracked]
        order = ", ".join(column(name) for name in order_by)
        date = history_meta.get_field("history_date").get_db_prep_save(self.date, connection)
        with connection.cursor() as cursor:
            for chunk in _key_chunks(connection, keys):
                where, where_params = _in_values(connection, column(by), chunk)
                sql = "INSERT INTO {} ({}) SELECT {}, %s, %s, %s, %s FROM {} t WHERE {} ORDER BY {}".format(
                    quote(history_meta.db_table),
                    ", ".join(quote(column) for column in columns),
                    ", ".join(source),
                    quote(meta.db_table),
                    where,
                    order,
                )
                cursor.execute(sql, [date, self.reason, history_type, self.user_id, *where_params])

    def record_quartiers(self, project_ids) -> None:
        """With each record of a dossier this import wrote, the dossier's quartiers as they now
        stand (what simple-history's m2m tracking stores with every record of a dossier)."""
        project_ids = list(project_ids)
        if not project_ids:
            return
        connection = connections[Project.history.model.quartiers.model.objects.db]
        for chunk in _key_chunks(connection, project_ids):
            self._record_quartiers(connection, chunk)

    def _record_quartiers(self, connection, project_ids: list) -> None:
        historical = Project.history.model
        Snapshot = historical.quartiers.model
        Through = Project.quartiers.through
        quote = connection.ops.quote_name

        def column(model, name):
            return quote(model._meta.get_field(name).column)

        where, where_params = _in_values(connection, f"h.{column(historical, 'id')}", project_ids)
        sql = (
            "INSERT INTO {snapshot} ({columns}) "
            "SELECT h.{history_id}, t.{id}, t.{project}, t.{quartier} "
            "FROM {history} h JOIN {through} t ON t.{project} = h.{project_id} "
            "WHERE h.{date} = %s AND {where} ORDER BY h.{history_id}, t.{id}"
        ).format(
            snapshot=quote(Snapshot._meta.db_table),
            columns=", ".join(column(Snapshot, name) for name in ("history", "id", "project", "quartier")),
            history_id=column(historical, "history_id"),
            id=column(Through, "id"),
            project=column(Through, "project"),
            quartier=column(Through, "quartier"),
            history=quote(historical._meta.db_table),
            through=quote(Through._meta.db_table),
            project_id=column(historical, "id"),
            date=column(historical, "history_date"),
            where=where,
        )
        date = historical._meta.get_field("history_date").get_db_prep_save(self.date, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [date, *where_params])


SQLITE_KEYS_PER_STATEMENT = 10_000


def _key_chunks(connection, keys: list) -> list[list]:
    """Every key at once on PostgreSQL (one array parameter); SQLite takes at most 32,766
    parameters in a statement, and a file may hold 100,000 dossiers: chunks of 10,000."""
    if connection.vendor == "postgresql":
        return [keys]
    size = SQLITE_KEYS_PER_STATEMENT
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def _in_values(connection, column: str, values: list) -> tuple[str, list]:
    """`column` is one of `values`: one array parameter on PostgreSQL, else one per value."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (values of `fields`, ready for the database) into `model`'s table, the ids
    taken from its sequence unless `fields` names the primary key: a `COPY` on PostgreSQL, one
    `INSERT` run over all rows elsewhere. No model instance is needed: the rows of the funding
    lines, the quartiers and the status changes need no id back (their history is read from
    the table, see `_History`)."""
    if not rows:
        return
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Through the driver's cursor, so the driver's errors are turned into Django's here
            # (an IntegrityError of an import running at the same time, see `_plan_and_write`).
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


# Fields whose Python value is the value the database takes (as `get_db_prep_save` would
# give it); any other field's value goes through `get_db_prep_save`.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _create(model, instances: list) -> None:
    """`bulk_create(instances)`, each given its id. On PostgreSQL by `COPY`, the ids taken from
    the table's sequence first (as the inserts would take them, in the same order), without
    Django compiling an `INSERT` of every field of every instance."""
    if not instances:
        return
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances)
        return
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, len(instances)],
        )
        ids = sorted(pk for (pk,) in cursor.fetchall())
    fields = meta.concrete_fields
    # What bulk_create does per field: `pre_save` where the field's class gives it something to
    # do (the dates of `auto_now(_add)`), then `get_db_prep_save` where the value is not
    # already what the database takes.
    custom = [type(field).pre_save is not models.Field.pre_save for field in fields]
    plain = [isinstance(field, _PLAIN_FIELDS) for field in fields]
    steps = list(zip(fields, custom, plain, strict=True))
    rows = []
    for instance, pk in zip(instances, ids, strict=True):
        instance.pk = pk
        row = []
        for model_field, has_pre_save, is_plain in steps:
            if has_pre_save:
                value = model_field.pre_save(instance, add=True)
            else:
                value = getattr(instance, model_field.attname)
            row.append(value if is_plain else model_field.get_db_prep_save(value, connection))
        rows.append(row)
        instance._state.adding = False
        instance._state.db = connection.alias
    _insert_rows(model, [field.name for field in fields], rows)


def _write(
    years, resolver, to_create, to_update, status_changes, now, history: _History, user, comment: str
) -> None:
    known_years = set(ProgrammeYear.objects.filter(year__in=years).values_list("year", flat=True))
    new_years = [year for year in years if year not in known_years]
    ProgrammeYear.objects.bulk_create([ProgrammeYear(year=year) for year in new_years])
    history.record(ProgrammeYear, "+", new_years)

    _create(Operator, resolver.created)
    history.record(Operator, "+", [operator.pk for operator in resolver.created])
    if resolver.updated:
        for operator in resolver.updated.values():
            operator.updated_at = now
        Operator.objects.bulk_update(resolver.updated.values(), ["name", "kind", "siret", "updated_at"])
        history.record(Operator, "~", sorted(resolver.updated))

    for project, _ in to_create:
        project.operator = project._operator
    created_projects = [project for project, _ in to_create]
    _create(Project, created_projects)
    for project, *_ in to_update:
        project.operator = project._operator
    updated_projects = [project for project, *_ in to_update]
    # Only the fields some dossier changes go through bulk_update (one CASE per dossier and
    # field); the version and the date, the same step for all, in one plain UPDATE.
    changed_fields = sorted(
        {name for project in updated_projects for name in project._changed_fields} - {"decision_date"}
    )
    if changed_fields:
        Project.objects.bulk_update(updated_projects, changed_fields)
    Project.objects.filter(pk__in=[project.pk for project in updated_projects]).update(
        version=F("version") + 1, updated_at=now
    )
    # A decision date takes a few values (a year's committee, today, none): one UPDATE each.
    decided: dict = {}
    for project in updated_projects:
        if "decision_date" in project._changed_fields:
            decided.setdefault(project.decision_date, []).append(project.pk)
    for decision_date, ids in decided.items():
        Project.objects.filter(pk__in=ids).update(decision_date=decision_date)

    Through = Project.quartiers.through
    replaced_quartiers = [project.pk for project, _, _, changed in to_update if changed]
    Through.objects.filter(project_id__in=replaced_quartiers).delete()
    _insert_rows(
        Through,
        ["project", "quartier"],
        [
            (project.pk, quartier_id)
            for project in [p for p, _ in to_create] + [p for p, _, _, changed in to_update if changed]
            for quartier_id in sorted(project._quartier_ids)
        ],
    )
    _write_project_history(created_projects, updated_projects, history)

    replaced = [project for project, _, changed, _ in to_update if changed]
    # The replaced lines are recorded as deleted, in bulk; then deleted without the per-row
    # signals that would record them again, one by one.
    replaced_ids = [project.pk for project in replaced]
    history.record(FundingLine, "-", replaced_ids, by="project", order_by=("project", "position", "id"))
    if replaced:
        doomed = FundingLine.objects.filter(project_id__in=replaced_ids)
        doomed._raw_delete(doomed.db)
    _insert_rows(
        FundingLine,
        ["project", "funder", "nature", "amount_requested", "amount_granted", "position"],
        [
            (
                project.pk,
                line.funder_id,
                line.nature,
                line.amount_requested,
                line.amount_granted,
                line.position,
            )
            for project in created_projects + replaced
            for line in project._lines
        ],
    )
    # Every line of these dossiers is new now.
    history.record(FundingLine, "+", [project.pk for project in created_projects + replaced], by="project")

    # As `bulk_create` would: each change dated when written (`auto_now_add`).
    changed_at = StatusChange._meta.get_field("changed_at")
    connection = connections[StatusChange.objects.db]
    user_id = getattr(user, "pk", None)
    _insert_rows(
        StatusChange,
        ["project", "from_status", "to_status", "changed_at", "changed_by", "comment"],
        [
            (
                change.project.pk,
                change.from_status,
                change.to_status,
                changed_at.get_db_prep_save(timezone.now(), connection),
                user_id,
                comment,
            )
            for change in status_changes
        ],
    )


def _write_project_history(created: list[Project], updated: list[Project], history: _History) -> None:
    """One record per dossier written, each with the dossier's quartiers as they now stand."""
    history.record(Project, "+", [project.pk for project in created])
    history.record(Project, "~", [project.pk for project in updated])
    history.record_quartiers(project.pk for project in created + updated)

"""Reading a programmation file's cells: each row into a typed `Row`, the rows into dossiers,
and every error with its row and column (`ImportIssue`).

Nothing here writes: the cells are checked against the format (`format`) and against the
codes of the domain and of the reference data (`Vocabulary`), and the rows of one dossier are
checked to agree. The planning (`planning`) then compares the dossiers with the database.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from contratville.tabular import Table, normalize_key, parse_amount
from projects.models import Funder, Nature, OperatorKind, Pillar, Quartier, Status, Theme
from projects.validators import normalize_siret, siret_error

from .format import COLUMNS, OPTIONAL_COLUMNS, PILLAR_CODES, QUARTIER_SEPARATOR, QUARTIER_SEPARATORS

# Beyond this many errors, the file is not read further: the user has enough to correct.
MAX_ERRORS = 1000


@dataclass(frozen=True)
class ImportIssue:
    """One error of a file: its row (the header is row 1) and column when it has them, and the
    French message shown to the user."""

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
class Row:
    """One row of the file, checked and typed: the dossier it describes and, when it has a
    funder, one of the dossier's funding lines. A value that is wrong stays empty (None)."""

    number: int
    year: int | None = None
    reference: str = ""
    title: str = ""
    operator_name: str = ""
    siret: str = ""
    operator_kind: str = ""
    pillar: Pillar | None = None
    theme: Theme | None = None
    quartier_ids: frozenset[int] = frozenset()
    status: str = ""
    funder: Funder | None = None
    nature: str = ""
    requested: Decimal | None = None
    granted: Decimal | None = None
    # The row's cells as read, by column name.
    raw: dict[str, str] = field(default_factory=dict)
    # Columns already reported as wrong on this row: no second error about them.
    error_columns: set[str] = field(default_factory=set)


class Vocabulary:
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
            text = raw
            for separator in QUARTIER_SEPARATORS:
                text = text.replace(separator, QUARTIER_SEPARATOR)
            for code in text.split(QUARTIER_SEPARATOR):
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


def parse_row(number: int, cells: dict[str, str], vocab: Vocabulary, errors: list[ImportIssue]) -> Row:
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
            f"pilier inconnu « {raw_pillar} » (attendu : {', '.join(PILLAR_CODES)})",
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


def dossier_values(row: Row) -> dict[str, object]:
    """What the row says of its dossier, by column (`format.DOSSIER_COLUMNS`, in that order),
    as the rows of one dossier are compared."""
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


def check_headers(headers: list[str], errors: list[ImportIssue]) -> list[str | None]:
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
class Dossier:
    """The rows of one dossier: the first describes it, those with a funder are its lines."""

    first: Row
    # `dossier_values(first)`, which every other row of the dossier must match.
    values: dict
    lines: list[Row] = field(default_factory=list)


def read_rows(
    table: Table, names: list[str | None], vocab: Vocabulary, errors: list[ImportIssue]
) -> list[Row]:
    """Every data row of `table` parsed, its cells named by `names` (`check_headers`); a value
    in a column without header is an error. Stops after `MAX_ERRORS` errors."""
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
        rows.append(parse_row(number, values, vocab, errors))
        if len(errors) > MAX_ERRORS:
            break
    return rows


def group_dossiers(rows: list[Row], errors: list[ImportIssue]) -> dict[tuple[int, str], Dossier]:
    """The rows by dossier (year, reference), in the file's order, each with its funding lines.
    A row that describes its dossier otherwise than the dossier's first row is an error of each
    column that differs (unless one of the two rows already has an error there)."""
    dossiers: dict[tuple[int, str], Dossier] = {}
    for row in rows:
        if row.year is None or not row.reference:
            continue
        key = (row.year, row.reference)
        dossier = dossiers.get(key)
        if dossier is None:
            dossiers[key] = dossier = Dossier(first=row, values=dossier_values(row))
        elif (values := dossier_values(row)) != dossier.values:
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
    return dossiers

"""The comptes-rendus financiers imported from a spreadsheet (CSV or XLSX, the hardened reader of
contratville.tabular), one dossier or many: one row per dossier and account.

Columns (headers compared without accents, case or spaces): `annee`, `numero_dossier`, `compte`,
`prevu`, `realise` (the account's planned and actual amounts, French or plain), and, on any row of
a dossier, its compte-rendu's own values: `recu_le`, `debut`, `fin` (dates JJ/MM/AAAA or
AAAA-MM-JJ), `bilan_qualitatif`, `beneficiaires`, `dont_qpv`, `femmes`, `hommes`,
`moins_16_ans`, `de_16_a_25_ans`, `de_26_a_64_ans`, `65_ans_et_plus` (whole numbers). A value
left empty keeps what the compte-rendu has; two rows of a dossier may not disagree.

All or nothing: every row is checked, then every compte-rendu is saved through
`compte_rendu_save` (its rules, its version, its audit trail) in one transaction; any error,
named by its row and column, and nothing is written."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from contratville.tabular import TableError, clean_text, normalize_key, parse_amount, read_table
from projects.models import Project

from .compte_rendu_services import HEADER_FIELDS, compte_rendu_save
from .models import ACCOUNTS, CompteRendu

REQUIRED = ("annee", "numero_dossier", "compte", "prevu", "realise")
# Column → CompteRendu field, for the dossier's own values.
DOSSIER_COLUMNS = {
    "recu_le": "received_on",
    "debut": "held_from",
    "fin": "held_to",
    "bilan_qualitatif": "assessment",
    "beneficiaires": "beneficiaries",
    "dont_qpv": "beneficiaries_qpv",
    "femmes": "women",
    "hommes": "men",
    "moins_16_ans": "age_under_16",
    "de_16_a_25_ans": "age_16_25",
    "de_26_a_64_ans": "age_26_64",
    "65_ans_et_plus": "age_65_plus",
}
# Headers as French spreadsheets spell them, once normalised (normalize_key).
ALIASES = {
    "n°_dossier": "numero_dossier",
    "no_dossier": "numero_dossier",
    "n_dossier": "numero_dossier",
    "numero": "numero_dossier",
    "dossier": "numero_dossier",
    "montant_prevu": "prevu",
    "montant_realise": "realise",
    "date_de_reception": "recu_le",
    "nombre_de_beneficiaires": "beneficiaires",
    "dont_habitants_des_qpv": "dont_qpv",
}
COLUMN_OF = {name: column for column, name in DOSSIER_COLUMNS.items()}
DATE_COLUMNS = ("recu_le", "debut", "fin")
FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
MAX_ERRORS = 50


@dataclass
class ImportIssue:
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = f"Ligne {self.row}" if self.row else "Fichier"
        return (
            f"{where}, colonne « {self.column} » : {self.message}"
            if self.column
            else f"{where} : {self.message}"
        )


@dataclass
class _Dossier:
    project: Project
    first_row: int
    header: dict = field(default_factory=dict)
    header_rows: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)


@dataclass
class CompteRenduImportResult:
    errors: list[ImportIssue] = field(default_factory=list)
    saved: int = 0
    accounts: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} erreur(s) : rien n'a été enregistré."
        return f"{self.saved} compte(s)-rendu(s) enregistré(s), {self.accounts} compte(s) de charges ou de produits."


def _date(raw: str) -> date:
    for pattern, order in ((FRENCH_DATE, (3, 2, 1)), (ISO_DATE, (1, 2, 3))):
        match = pattern.fullmatch(raw)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            return date(year, month, day)
    raise ValueError(f"« {raw} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ)")


def _count(raw: str) -> int:
    text = raw.replace(" ", "")
    if text.startswith("-") and text[1:].isdigit():
        raise ValueError(f"« {raw} » est négatif : un nombre de personnes est positif ou nul")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"« {raw} » n'est pas un nombre entier de personnes")
    return int(text)


def _value(column: str, raw: str):
    if column in DATE_COLUMNS:
        return _date(raw)
    if column == "bilan_qualitatif":
        return raw
    return _count(raw)


def compte_rendu_import(*, content: bytes, filename: str, user) -> CompteRenduImportResult:
    result = CompteRenduImportResult()
    try:
        table = read_table(content, filename)
    except TableError as error:
        result.errors.append(ImportIssue(None, "", str(error)))
        return result
    columns = [ALIASES.get(normalize_key(header), normalize_key(header)) for header in table.headers]
    known = set(REQUIRED) | set(DOSSIER_COLUMNS)
    for header, column in zip(table.headers, columns, strict=True):
        if column and column not in known:
            result.errors.append(
                ImportIssue(1, header, f"colonne inconnue (colonnes possibles : {', '.join(sorted(known))})")
            )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.errors.append(
            ImportIssue(1, "", f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}")
        )
    if result.errors:
        return result

    # Each row's cells by column, read once for the dossiers' lookup and the checks below.
    rows = [
        (number, {column: clean_text(cells[i]) if i < len(cells) else "" for i, column in enumerate(columns)})
        for number, cells in table.rows
    ]
    wanted = {
        (int(values["annee"]), values["numero_dossier"])
        for _number, values in rows
        if values["annee"].isdigit() and values["numero_dossier"]
    }
    projects = {
        (p.year_id, p.reference): p
        for p in Project.objects.filter(
            year_id__in={year for year, _ in wanted}, reference__in={ref for _, ref in wanted}
        )
    }

    dossiers: dict[tuple[int, str], _Dossier] = {}
    for number, values in rows:
        if len(result.errors) >= MAX_ERRORS:
            break
        year, reference = values["annee"], values["numero_dossier"]
        if not (year.isdigit() and len(year) == 4):
            result.errors.append(
                ImportIssue(number, "annee", f"« {year} » n'est pas une année (exemple : 2021)")
            )
            continue
        project = projects.get((int(year), reference))
        if project is None:
            result.errors.append(
                ImportIssue(number, "numero_dossier", f"aucun dossier « {reference} » en {year}")
            )
            continue
        dossier = dossiers.setdefault((int(year), reference), _Dossier(project, number))
        account = values["compte"]
        if account:
            if account not in ACCOUNTS:
                result.errors.append(
                    ImportIssue(
                        number,
                        "compte",
                        f"compte inconnu « {account} » (comptes possibles : {', '.join(ACCOUNTS)})",
                    )
                )
                continue
            if account in dossier.accounts:
                result.errors.append(
                    ImportIssue(
                        number,
                        "compte",
                        f"le compte {account} du dossier {reference} est déjà sur une autre ligne",
                    )
                )
                continue
            amounts = []
            for column in ("prevu", "realise"):
                raw = values[column]
                try:
                    amounts.append(parse_amount(raw) if raw else None)
                except ValueError as error:
                    result.errors.append(ImportIssue(number, column, str(error)))
                    amounts.append(None)
            dossier.accounts[account] = tuple(amounts)
        for column, name in DOSSIER_COLUMNS.items():
            raw = values.get(column, "")
            if not raw:
                continue
            try:
                value = _value(column, raw)
            except ValueError as error:
                result.errors.append(ImportIssue(number, column, str(error)))
                continue
            if name in dossier.header and dossier.header[name] != value:
                result.errors.append(
                    ImportIssue(
                        number,
                        column,
                        f"« {raw} » contredit la ligne {dossier.header_rows[name]} du même dossier",
                    )
                )
                continue
            dossier.header[name] = value
            dossier.header_rows[name] = number
    if result.errors:
        return result

    try:
        with transaction.atomic():
            for dossier in dossiers.values():
                current = CompteRendu.objects.filter(project=dossier.project).first()
                header = {name: getattr(current, name) if current else None for name in HEADER_FIELDS}
                header.update(dossier.header)
                try:
                    compte_rendu_save(
                        project=dossier.project,
                        user=user,
                        header=header,
                        accounts=dossier.accounts,
                        version=current.version if current else None,
                    )
                except ValidationError as error:
                    reference = dossier.project.reference
                    if hasattr(error, "error_dict"):
                        for name, messages in error.message_dict.items():
                            column = COLUMN_OF.get(name, name)
                            row = dossier.header_rows.get(name, dossier.first_row)
                            for message in messages:
                                result.errors.append(
                                    ImportIssue(row, column, f"dossier {reference} : {message}")
                                )
                    else:
                        for message in error.messages:
                            result.errors.append(
                                ImportIssue(dossier.first_row, "", f"dossier {reference} : {message}")
                            )
                else:
                    result.saved += 1
                    result.accounts += len(dossier.accounts)
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = result.accounts = 0
    return result


class _Rollback(Exception):
    """Undoes the transaction when any dossier was refused: all or nothing."""

"""The programmation file's format: its columns in their order, which ones a file may leave
out, which ones describe the dossier rather than one of its funding lines, their French labels
and help, and how a cell lists several codes.

The one definition of the format: the import (`parsing`), the export
(`projects/exports.py`), the import page and its templates (`projects/views/imports.py`), the
benchmarks (`bench/`), the demonstration programme's generator and checker (`tools/`) and the
tests all read it here.

This module imports nothing but the standard library, so that the scripts that run with a
plain `python3` (tools/make_demo_programme.py, tools/check_demo_programme.py,
tests/projects/bad_files/make_bad_files.py) read the columns here too. The codes the cells
hold are the domain's: the statuses, kinds of porteur and natures of `projects.models.choices`,
and the reference data of the database (piliers, thématiques, quartiers, funders), which
`parsing.Vocabulary` reads with their labels as synonyms; `column_help` names the codes of the
kinds and statuses by reading them from `projects.models.choices` when it is called.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    # The column's French title where a file is for people (the readable export).
    label: str
    # What the column holds, for the import page and the XLSX template's guide; `{codes}` is
    # replaced by the codes of the domain that the column takes (`column_help`).
    help: str
    # A required column must be in the header row; its cells may still be empty where the
    # format allows it (a dossier without funding line has no financeur).
    required: bool = True
    # Describes the dossier itself: every row of one dossier must agree on it.
    dossier: bool = False
    # An amount in euros (a number cell in a workbook).
    amount: bool = False


# The quartiers of a dossier, in one cell: the export writes them with `|`, the import reads
# `|` or `,`.
QUARTIER_SEPARATOR = "|"
QUARTIER_SEPARATORS = ("|", ",")
# The piliers' codes, as the help and the import's messages suggest them.
PILLAR_CODES = ("cohesion_sociale", "cadre_de_vie", "emploi", "pilotage")

FORMAT = (
    Column("annee", "Année", "Année de programmation, par exemple 2022."),
    Column("numero_dossier", "N° de dossier", "Numéro du dossier, unique dans son année."),
    Column("intitule", "Intitulé", "Intitulé de l'action.", dossier=True),
    Column("porteur", "Porteur", "Nom du porteur de projet.", dossier=True),
    Column(
        "siret",
        "SIRET",
        "SIRET du porteur : 14 chiffres, espaces permis.",
        required=False,
        dossier=True,
    ),
    Column("type_porteur", "Type de porteur", "Type de porteur : {codes}.", dossier=True),
    Column(
        "pilier",
        "Pilier",
        f"Pilier : {', '.join(PILLAR_CODES[:-1])} ou {PILLAR_CODES[-1]}.",
        dossier=True,
    ),
    Column("thematique", "Thématique", "Code ANCT de la thématique, par exemple 1.1.", dossier=True),
    Column(
        "quartiers",
        "Quartiers",
        f"Codes QPV (QP… ou QN…) séparés par « {QUARTIER_SEPARATOR} » ; peut rester vide.",
        required=False,
        dossier=True,
    ),
    Column("statut", "Statut", "Statut du dossier : {codes}.", dossier=True),
    Column("financeur", "Financeur", "Code du financeur ; vide pour un dossier sans ligne de financement."),
    Column(
        "nature",
        "Nature",
        "droit_commun ou specifique ; vide : la nature habituelle du financeur.",
        required=False,
    ),
    Column(
        "montant_demande",
        "Montant demandé",
        "Montant demandé : 1234.56, 1 234,56 ou 1234.",
        amount=True,
    ),
    Column(
        "montant_accorde",
        "Montant accordé",
        "Montant accordé, mêmes formes ; peut rester vide.",
        required=False,
        amount=True,
    ),
)

# The columns' names, in the file's order: the header row of every file written in the format.
COLUMNS = [column.name for column in FORMAT]
OPTIONAL_COLUMNS = {column.name for column in FORMAT if not column.required}
DOSSIER_COLUMNS = [column.name for column in FORMAT if column.dossier]
AMOUNT_COLUMNS = {column.name for column in FORMAT if column.amount}
LABELS = {column.name: column.label for column in FORMAT}


def column_help() -> dict[str, str]:
    """What each column holds, in French, the codes of the kinds of porteur and of the
    statuses written out."""
    # Here rather than at the top: the scripts that read the columns run without Django.
    from projects.models.choices import OperatorKind, Status

    codes = {"type_porteur": ", ".join(OperatorKind.values), "statut": ", ".join(Status.values)}
    return {column.name: column.help.format(codes=codes.get(column.name, "")) for column in FORMAT}

"""Each chart's data as an accessible table (and as the CSV file of that table): the same
figures as the chart, written with contratville/formatting.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contratville.formatting import euros, number, percent, percent_text
from contratville.tabular import FORMULA_PREFIXES
from projects.models import Status

from ..selectors import BilanFigures
from .figures import funnel_stages
from .style import Link


@dataclass
class Cell:
    value: object  # as computed: Decimal, int, str or None
    display: str  # as read on the page
    numeric: bool = False

    def csv(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            # French spreadsheets read a decimal comma.
            return str(self.value).replace(".", ",")
        text = str(self.value)
        return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def money(value: Decimal | None) -> Cell:
    return Cell(value, euros(value), True)


def share(value: Decimal | None) -> Cell:
    return Cell(value, percent_text(value), True)


def count(value: int | None) -> Cell:
    return Cell(value, "—" if value is None else number(value), True)


def text(value: str) -> Cell:
    return Cell(value, value)


@dataclass
class TableRow:
    header: str  # the row's label, a row header
    cells: list[Cell]
    link: str = ""  # the dossiers behind the row
    code: str = ""  # the filter's code, written in the CSV


@dataclass
class ChartTable:
    caption: str
    row_header: str
    columns: list[str]
    rows: list[TableRow]
    footer: TableRow | None = None
    note: str = ""
    code_header: str = "Code"

    def csv_rows(self) -> list[list[str]]:
        with_code = any(row.code for row in self.rows)
        header = [self.row_header, *([self.code_header] if with_code else []), *self.columns]
        lines = [header]
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            label = Cell(row.header, row.header).csv()
            lines.append([label, *([row.code] if with_code else []), *(cell.csv() for cell in row.cells)])
        return lines


def pillar_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    total = figures.total
    hundred = Decimal("100.0")
    return ChartTable(
        caption=f"Répartition financière par pilier — programmation {figures.year}",
        row_header="Pilier",
        columns=[
            "Montant accordé",
            "Part",
            "Dossiers programmés",
            "Dossiers associatifs",
            "Part des dossiers associatifs",
        ],
        rows=[
            TableRow(
                p.label,
                [
                    money(p.amount),
                    share(p.percent),
                    count(p.projects),
                    count(p.associative_projects),
                    share(p.associative_percent),
                ],
                link(pilier=[p.code]) if link else "",
                p.code,
            )
            for p in figures.pillars
        ],
        footer=TableRow(
            "Total",
            [
                money(total),
                share(hundred if total else Decimal("0.0")),
                count(figures.projects_programmed),
                count(figures.associative_projects),
                share(hundred if figures.associative_projects else Decimal("0.0")),
            ],
        ),
    )


def nature_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    def row(p, code=""):
        cells = [
            money(p.droit_commun),
            money(p.specifique),
            money(p.amount),
            share(percent(p.specifique, p.amount)),
        ]
        return TableRow(p.label, cells, link(pilier=[p.code]) if link and code else "", code)

    footer = TableRow(
        "Total",
        [
            money(figures.droit_commun_total),
            money(figures.specific_total),
            money(figures.total),
            share(figures.specific_percent),
        ],
    )
    return ChartTable(
        caption=f"Droit commun et crédits spécifiques par pilier — {figures.year}",
        row_header="Pilier",
        columns=["Droit commun", "Crédits spécifiques", "Total", "Part des crédits spécifiques"],
        rows=[row(p, p.code) for p in figures.pillars],
        footer=footer,
    )


def funders_table(figures: BilanFigures, funder_projects: dict[str, int], link: Link | None) -> ChartTable:
    total = figures.total
    funders = sorted(figures.funders, key=lambda f: (-f.amount, f.order, f.code))
    return ChartTable(
        caption=f"Crédits par financeur — {figures.year}",
        row_header="Financeur",
        columns=["Droit commun", "Crédits spécifiques", "Total", "Part", "Dossiers financés"],
        rows=[
            TableRow(
                f.label,
                [
                    money(f.droit_commun),
                    money(f.specifique),
                    money(f.amount),
                    share(percent(f.amount, total)),
                    count(funder_projects.get(f.code, 0)),
                ],
                link(financeur=[f.code]) if link else "",
                f.code,
            )
            for f in funders
        ],
        footer=TableRow(
            "Total",
            [
                money(figures.droit_commun_total),
                money(figures.specific_total),
                money(total),
                share(Decimal("100.0") if total else Decimal("0.0")),
                count(None),
            ],
        ),
        note="Dossiers financés : dossiers programmés auxquels le financeur a accordé un montant.",
    )


def themes_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    total = figures.total
    pillars = {p.code: p.short_label or p.label for p in figures.pillars}
    return ChartTable(
        caption=f"Crédits par thématique — {figures.year}",
        row_header="Thématique",
        columns=["Pilier", "Montant accordé", "Part", "Dossiers programmés"],
        rows=[
            TableRow(
                f"{t.code} {t.label}",
                [
                    text(pillars.get(t.pillar_code, t.pillar_code)),
                    money(t.amount),
                    share(percent(t.amount, total)),
                    count(t.projects),
                ],
                link(thematique=[t.code]) if link else "",
                t.code,
            )
            for t in figures.themes
        ],
        footer=TableRow(
            "Total",
            [
                text(""),
                money(total),
                share(Decimal("100.0") if total else Decimal("0.0")),
                count(figures.projects_programmed),
            ],
        ),
        note="Thématiques prioritaires de l'année : "
        + (
            percent_text(figures.priority_themes_percent)
            if figures.priority_themes_percent is not None
            else "aucune"
        )
        + " des crédits.",
    )


def areas_table(
    caption: str, row_header: str, areas: list, remainder, parameter: str, link: Link | None, note: str
) -> ChartTable:
    return ChartTable(
        caption=caption,
        row_header=row_header,
        columns=["Crédits des dossiers qui le concernent", "Dossiers programmés"],
        rows=[
            TableRow(
                a.label,
                [money(a.amount), count(a.projects)],
                link(**{parameter: [a.code]}) if link else "",
                a.code,
            )
            for a in areas
        ],
        footer=TableRow(remainder.label, [money(remainder.amount), count(remainder.projects)]),
        note=note,
        code_header="Code INSEE" if parameter == "commune" else "Code QPV",
    )


def evolution_table(history: list[BilanFigures], link: Link | None) -> ChartTable:
    pillars = history[0].pillars if history else []
    return ChartTable(
        caption="Crédits programmés par année, au total et par pilier",
        row_header="Année",
        columns=[
            "Total",
            *[p.short_label or p.label for p in pillars],
            "Part des crédits spécifiques",
            "Dossiers programmés",
        ],
        rows=[
            TableRow(
                str(f.year),
                [
                    money(f.total),
                    *[money(p.amount) for p in f.pillars],
                    share(f.specific_percent),
                    count(f.projects_programmed),
                ],
                link(annee=[f.year]) if link else "",
            )
            for f in history
        ],
    )


def funnel_table(figures: BilanFigures, link: Link | None) -> ChartTable:
    stages = funnel_stages(figures)
    filed = stages[0][2]
    rows = [
        TableRow(label, [count(n), share(percent(n, filed))], link(statut=statuses) if link else "")
        for label, statuses, n in stages
    ]
    for status in (Status.REFUSE, Status.ABANDONNE, Status.BROUILLON):
        n = figures.status_counts.get(status, 0)
        rows.append(
            TableRow(
                f"dont {Status(status).label.lower()}s"
                if status != Status.BROUILLON
                else "Brouillons (non déposés)",
                [count(n), share(percent(n, filed)) if status != Status.BROUILLON else Cell(None, "—", True)],
                link(statut=[status]) if link else "",
            )
        )
    return ChartTable(
        caption=f"Dossiers par étape — {figures.year}",
        row_header="Étape",
        columns=["Dossiers", "Part des dossiers déposés"],
        rows=rows,
        note="Un dossier compte dans chaque étape qu'il a franchie : un dossier soldé a été déposé, "
        "instruit, programmé et justifié.",
    )

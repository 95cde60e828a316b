"""The comité's documents: the tableau de programmation of a scenario (XLSX for the agents'
spreadsheets, landscape A4 PDF in the bilan's look for the comité) and, once the decision is
applied, the relevé de décisions (PDF).

The PDFs are WeasyPrint's, through the bilan's own rendering function
(reports.bilan.html_to_pdf) with the bilan's stylesheet and ours; their figures come from the
selectors the pages show (comites.selectors)."""

import io
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from contratville.formatting import XLSX_AMOUNT_FORMAT
from contratville.tabular import formula_safe
from reports.bilan import html_to_pdf

from . import selectors
from .models import Opinion, Scenario, Seance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_STYLESHEETS = ("css/bilan.css", "css/comites-print.css")
ZERO = Decimal("0.00")


def filename(scenario: Scenario, extension: str) -> str:
    seance = scenario.seance
    return (
        f"tableau-de-programmation-{seance.date:%Y-%m-%d}-{slugify(scenario.name) or scenario.pk}.{extension}"
    )


def releve_filename(seance: Seance) -> str:
    return f"releve-de-decisions-{seance.date:%Y-%m-%d}.pdf"


def whole_table(scenario: Scenario) -> selectors.ScenarioTable:
    """Every row of the scenario on one page."""
    return selectors.scenario_table(scenario, 1, max(1, scenario.opinions.count()))


def _text(value) -> str:
    return formula_safe(str(value)) if value is not None else ""


def tableau_xlsx(scenario: Scenario) -> bytes:
    """The tableau de programmation as a workbook: one row per dossier, one column per funder
    (proposed amounts), each pilier's subtotal, the totals; a second sheet with the envelopes.
    No cell starts a formula (formula_safe)."""
    table = whole_table(scenario)
    seance = scenario.seance
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tableau de programmation"
    bold = Font(bold=True)
    sheet.append([_text(f"{seance.label} — scénario « {scenario.name} »")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"Montants proposés ; sous-totaux et totaux des dossiers à avis favorable. Édité le {timezone.localdate():%d/%m/%Y}."
        ]
    )
    sheet.append([])
    headers = [
        "N° de dossier",
        "Intitulé",
        "Porteur",
        "Pilier",
        "Demandé",
        *[f.short_label or f.label for f in table.funders],
        "Total proposé",
        "Avis",
        "Commentaire",
    ]
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    amount_columns = range(5, 5 + len(table.funders) + 2)
    for item in table.items:
        if hasattr(item, "cells"):
            amounts = [
                sum((c.proposed or ZERO for c in cells), ZERO)
                if any(c.proposed is not None for c in cells)
                else None
                for cells in item.cells
            ]
            sheet.append(
                [
                    _text(item.project.reference),
                    _text(item.project.title),
                    _text(item.project.operator.name),
                    _text(item.project.pillar.short_label or item.project.pillar.label),
                    item.requested,
                    *amounts,
                    item.proposed,
                    str(Opinion(item.opinion).label),
                    _text(item.comment),
                ]
            )
        else:
            sheet.append(
                [
                    "",
                    _text(
                        f"Sous-total {item.label} ({item.dossiers} dossier{'s' if item.dossiers > 1 else ''})"
                    ),
                    "",
                    "",
                    item.requested,
                    *item.by_funder,
                    item.proposed,
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    sheet.append(["", "Total", "", "", table.requested_total, *table.total_by_funder, table.proposed_total])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=header_row + 1):
        for index in amount_columns:
            row[index - 1].number_format = XLSX_AMOUNT_FORMAT
    widths = [16, 48, 34, 22, 15, *[15] * len(table.funders), 16, 14, 40]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)

    gauges = book.create_sheet("Enveloppes")
    gauges.append(
        [
            "Financeur",
            "Enveloppe",
            "Engagé (programmé)",
            "Proposé (scénario)",
            "Engagé + proposé",
            "Reste",
            "",
        ]
    )
    for cell in gauges[1]:
        cell.font = bold
    for gauge in selectors.scenario_gauges(scenario):
        gauges.append(
            [
                _text(gauge.funder_label),
                gauge.envelope,
                gauge.engaged,
                gauge.proposed,
                gauge.total,
                gauge.left,
                "Dépassement de l'enveloppe" if gauge.over else "",
            ]
        )
    for row in gauges.iter_rows(min_row=2):
        for cell in row[1:6]:
            cell.number_format = XLSX_AMOUNT_FORMAT
    for index, width in enumerate([44, 16, 18, 18, 18, 16, 26], start=1):
        gauges.column_dimensions[get_column_letter(index)].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _render(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            template,
            {
                **context,
                "agglomeration_name": settings.AGGLOMERATION_NAME,
                "generated_on": timezone.localdate(),
            },
        )


def tableau_html(scenario: Scenario) -> str:
    table = whole_table(scenario)
    return _render(
        "comites/tableau_pdf.html",
        {
            "scenario": scenario,
            "seance": scenario.seance,
            "table": table,
            "gauges": selectors.scenario_gauges(scenario),
            "document_title": f"Tableau de programmation — {scenario.seance.label}",
            "column_count": len(table.funders) + 5,
            "opinions": Opinion.choices,
        },
    )


def tableau_pdf(scenario: Scenario) -> bytes:
    """The tableau de programmation, landscape A4, in the bilan's look."""
    return html_to_pdf(tableau_html(scenario), stylesheets=PDF_STYLESHEETS)


def releve_html(seance: Seance) -> str:
    decisions = selectors.seance_decisions(seance)
    scenario = seance.scenarios.filter(applied_at__isnull=False).select_related("applied_by").first()
    totals: dict[str, list] = {}
    for dossier in decisions:
        for decision in dossier.decisions:
            entry = totals.setdefault(decision.funder.code, [decision.funder, ZERO, 0])
            if decision.decision == "accorde":
                entry[1] += decision.amount or ZERO
                entry[2] += 1
    return _render(
        "comites/releve_pdf.html",
        {
            "seance": seance,
            "scenario": scenario,
            "dossiers": decisions,
            "funder_totals": sorted(totals.values(), key=lambda t: (t[0].order, t[0].code)),
            "granted_total": sum((t[1] for t in totals.values()), ZERO),
            "document_title": f"Relevé de décisions — {seance.label}",
        },
    )


def releve_pdf(seance: Seance) -> bytes:
    """The relevé de décisions of a séance whose decision was applied."""
    return html_to_pdf(releve_html(seance), stylesheets=PDF_STYLESHEETS)

"""The national-scale benchmark of issue 7: time, queries and memory of the pages that read the
most data, each beside its floor, on PostgreSQL.

    DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/contratville_scale make bench
    # or: .venv/bin/python bench/run.py [--year 2024] [--runs 15] [--no-write] [--skip-pdf] ...

DATABASE_URL names a PostgreSQL database that holds the national-scale data (10 years x 30,000
dossiers: `manage.py generate_scale_data --dossiers-per-year 30000 --years 10 --seed 1`),
migrated. Nothing in it is changed: the import is measured in a transaction rolled back.

Measured, in one run, each through the Django test client, signed in as a Direction user:
- one year's dashboard, without and with a filter;
- the dossier list, first page: every year, one year, and one year with filters;
- the bilan's JSON;
  these pages keep figures in a cache keyed on the data's versions (reports/versioning.py):
  their runs after a warm-up request read it, as any view with no change in between does;
- the first view of the dashboard, the list and the bilan's JSON after a change to one of the
  year's dossiers (made in a transaction rolled back after the request): what a change costs;
- the bilan's PDF for a CABBALR-size year: the demonstration programme's 2021 (~150 dossiers),
  in a small PostgreSQL database of its own, `<name>_pdf`, made anew beside the scale database
  at each run (dropped if there, created, migrated, loaded with `load_demo`) (the scale database's years are 30,000 dossiers each, and
  loading the demonstration file there would only add 143 dossiers to a synthetic 2021), in a
  process of its own so that its peak memory is its own;
- the import of a 10,000-row file (generated, in the import format, for a year that has no
  dossier, so that every dossier is created), in a transaction rolled back.

Beside each, its floor: the same aggregates in hand-written SQL run through
`connection.cursor()` (for the import: a COPY of the same rows into the same tables). Printed:
median, p95, queries, peak of Python allocations (tracemalloc) and the ratio to the floor; the
process's peak resident memory; the query counts of the same pages at CABBALR scale (the
demonstration database). The results are written into docs/performance.md between its markers.
"""

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "performance.md"
# The section of docs/performance.md that a run rewrites: `<!-- bench:NAME:start -->` to `…:end -->`.
DEFAULT_SECTION = "results"
PROGRAMMED = ("programme", "justifie", "solde")
BENCH_USER = "bench-performance"
# The filters of the "filtered" measures: one pilier and one funder, a dossier and a line filter.
FILTER_PILLAR, FILTER_FUNDER = "emploi", "anct"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contratville.settings.dev")
    # DEBUG would keep every query in memory and skew time and memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


@dataclass
class Measure:
    name: str
    runs: list[float] = field(default_factory=list)  # seconds
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds of each run
    queries: int = 0
    peak_mib: float = 0.0  # tracemalloc, during one run
    floor_runs: list[float] = field(default_factory=list)
    floor_queries: int = 0
    target: str = ""
    note: str = ""
    small_queries: int | None = None  # the same page at CABBALR scale
    extra: dict = field(default_factory=dict)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs) * 1000 if self.runs else math.nan

    @property
    def p95_ms(self) -> float:
        return nearest_rank(self.runs, 0.95) * 1000 if self.runs else math.nan

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000 if self.cpu else math.nan

    @property
    def floor_ms(self) -> float:
        return statistics.median(self.floor_runs) * 1000 if self.floor_runs else math.nan

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms if self.floor_runs else math.nan


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(function, runs: int, warm: int = 1, cpu: list | None = None) -> list[float]:
    """Wall-clock seconds of each run; this process's CPU seconds appended to `cpu` if given
    (Python's share, which other work on the machine lengthens less)."""
    for _ in range(warm):
        function()
    times = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    return times


def count_queries(function) -> int:
    """The queries of one call: the fewer of two, so that the session's save, once a minute
    (SESSION_REFRESH_INTERVAL), is not counted as the page's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            function()
        counts.append(len(queries))
    return min(counts)


def python_peak(function) -> float:
    tracemalloc.start()
    try:
        function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run_sql(statements: list[tuple[str, list]]):
    """The floor: each statement through the bare cursor, every row fetched."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def measure_page(name: str, client, url: str, runs: int, floor, floor_count: int, target: str) -> Measure:
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    measure = Measure(name=f"{name} `{url}`", target=target)
    measure.runs = timed(get, runs, cpu=measure.cpu)
    measure.queries = count_queries(get)
    measure.peak_mib = python_peak(get)
    measure.floor_runs = timed(floor, runs)
    measure.floor_queries = floor_count
    return measure


def measure_after_change(
    name: str, client, url: str, year: int, runs: int, floor, floor_count: int
) -> Measure:
    """The page's first view after a change to one of the year's dossiers: the change renews
    the year's data version, so the dashboard computes that year's figures (and the next year's,
    which compare with it) again, and the page; the other years come from the cache. Each run
    changes a dossier in a transaction, asks for the page and rolls back."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project

    dossier = Project.objects.filter(year_id=year).order_by("id").values_list("pk", flat=True).first()

    def changed_then_get(capture=None):
        with transaction.atomic():
            Project.objects.filter(pk=dossier).update(title=F("title"))
            if capture is None:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed = (time.perf_counter() - started, time.process_time() - started_cpu)
            else:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                capture.append(len(queries))
                elapsed = (0.0, 0.0)
            assert response.status_code == 200, (url, response.status_code)
            transaction.set_rollback(True)
        return elapsed

    measure = Measure(name=f"{name} `{url}`", target="none: the cost of a change")
    changed_then_get()
    for _ in range(runs):
        wall, cpu = changed_then_get()
        measure.runs.append(wall)
        measure.cpu.append(cpu)
    counts: list[int] = []
    changed_then_get(counts)
    changed_then_get(counts)
    measure.queries = min(counts)
    tracemalloc.start()
    try:
        changed_then_get()
        measure.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    measure.floor_runs = timed(floor, runs)
    measure.floor_queries = floor_count
    measure.extra["page"] = "after_change"
    return measure


# The floors: the same aggregates, written by hand.


def _ids():
    from projects.models import Funder, Pillar

    funders = dict(Funder.objects.values_list("code", "pk"))
    pillars = dict(Pillar.objects.values_list("code", "pk"))
    return funders, pillars


def dashboard_floor(year: int, years: list[int], pillar: int | None, funder: int | None, anct: int, fcs: int):
    """Year options; the bilan's counts, FCS and amounts of every year (the history chart);
    the year's credits per dossier and per funder, and its dossiers' quartiers; the quartiers."""
    wanted = sorted(set(years) | {y - 1 for y in years} | {year, year - 1})
    project_where, project_params = "", []
    line_where, line_params = "", []
    if pillar is not None:
        project_where += " AND p.pillar_id = %s"
        project_params.append(pillar)
        line_where += " AND p.pillar_id = %s"
        line_params.append(pillar)
    if funder is not None:
        project_where += " AND p.id IN (SELECT project_id FROM funding_fundingline WHERE funder_id = %s)"
        project_params.append(funder)
        line_where += " AND l.funder_id = %s"
        line_params.append(funder)
    prog = "p.status IN ('programme', 'justifie', 'solde')"
    statements = [
        (
            f"SELECT year, COUNT(*), COUNT(*) FILTER (WHERE {prog.replace('p.', '')}) "
            "FROM projects_project p GROUP BY year ORDER BY year",
            [],
        ),
        (
            "SELECT q.id, q.name, q.kind, q.code_2015, q.code_2024, q.local_code, c.insee_code, c.name "
            "FROM projects_quartier q LEFT JOIN projects_quartier_communes qc ON qc.quartier_id = q.id "
            "LEFT JOIN projects_commune c ON c.id = qc.commune_id",
            [],
        ),
        (
            "SELECT p.year, p.pillar_id, p.theme_id, p.status, COUNT(*), "
            "COUNT(*) FILTER (WHERE o.kind = 'association'), "
            f"COUNT(*) FILTER (WHERE {prog} AND p.id IN (SELECT project_id FROM funding_fundingline "
            "WHERE funder_id = %s AND amount_granted > 0)) "
            "FROM projects_project p JOIN projects_operator o ON o.id = p.operator_id "
            f"WHERE p.year = ANY(%s){project_where} GROUP BY 1, 2, 3, 4",
            [anct, wanted, *project_params],
        ),
        (
            "SELECT p.year, COUNT(DISTINCT l.project_id), SUM(l.amount_granted) FROM funding_fundingline l "
            "JOIN projects_project p ON p.id = l.project_id WHERE l.funder_id = %s AND l.amount_granted > 0 "
            f"AND p.year = ANY(%s) AND {prog}{project_where} GROUP BY 1",
            [fcs, wanted, *project_params],
        ),
        (
            "SELECT p.year, p.pillar_id, p.theme_id, l.nature, l.funder_id, SUM(l.amount_granted) "
            "FROM funding_fundingline l JOIN projects_project p ON p.id = l.project_id "
            f"WHERE p.year = ANY(%s) AND {prog}{line_where} GROUP BY 1, 2, 3, 4, 5",
            [wanted, *line_params],
        ),
        (
            "SELECT l.project_id, SUM(l.amount_granted) FROM funding_fundingline l "
            f"JOIN projects_project p ON p.id = l.project_id WHERE p.year = %s AND {prog}{line_where} "
            "GROUP BY 1",
            [year, *line_params],
        ),
        (
            "SELECT l.funder_id, COUNT(DISTINCT l.project_id) FILTER (WHERE l.amount_granted > 0) "
            "FROM funding_fundingline l JOIN projects_project p ON p.id = l.project_id "
            f"WHERE p.year = %s AND {prog}{line_where} GROUP BY 1",
            [year, *line_params],
        ),
        (
            "SELECT t.project_id, t.quartier_id FROM projects_project_quartiers t "
            f"JOIN projects_project p ON p.id = t.project_id WHERE p.year = %s AND {prog}{project_where}",
            [year, *project_params],
        ),
    ]
    return run_sql(statements), len(statements)


def list_floor(year: int | None, status: str | None, pillar: int | None, funder: int | None, page: int = 50):
    """The list's count, its totals (and the chosen funder's share), its first page's rows."""
    where, params = ["TRUE"], []
    if year is not None:
        where.append("p.year = %s")
        params.append(year)
    if status is not None:
        where.append("p.status = %s")
        params.append(status)
    if pillar is not None:
        where.append("p.pillar_id = %s")
        params.append(pillar)
    if funder is not None:
        where.append(
            "EXISTS (SELECT 1 FROM funding_fundingline x WHERE x.project_id = p.id AND x.funder_id = %s)"
        )
        params.append(funder)
    condition = " AND ".join(where)
    if len(where) == 1:
        totals = ("SELECT SUM(amount_requested), SUM(amount_granted) FROM funding_fundingline", [])
    else:
        totals = (
            "SELECT SUM(l.amount_requested), SUM(l.amount_granted) FROM funding_fundingline l "
            f"WHERE l.project_id IN (SELECT p.id FROM projects_project p WHERE {condition})",
            params,
        )
    statements = [
        (f"SELECT COUNT(*) FROM projects_project p WHERE {condition}", params),
        totals,
        (
            "SELECT p.id, p.year, p.reference, p.title, p.status, o.name, pi.label, "
            "(SELECT SUM(amount_requested) FROM funding_fundingline WHERE project_id = p.id), "
            "(SELECT SUM(amount_granted) FROM funding_fundingline WHERE project_id = p.id) "
            "FROM projects_project p JOIN projects_operator o ON o.id = p.operator_id "
            f"JOIN projects_pillar pi ON pi.id = p.pillar_id WHERE {condition} "
            f"ORDER BY p.year DESC, p.reference LIMIT {page}",
            params,
        ),
    ]
    if funder is not None:
        statements.append(
            (
                "SELECT SUM(l.amount_requested), SUM(l.amount_granted) FROM funding_fundingline l "
                f"WHERE l.funder_id = %s AND l.project_id IN (SELECT p.id FROM projects_project p WHERE {condition})",
                [funder, *params],
            )
        )
    return run_sql(statements), len(statements)


def bilan_json_floor(year: int, anct: int, fcs: int):
    wanted = [year - 1, year]
    prog = "p.status IN ('programme', 'justifie', 'solde')"
    statements = [
        (
            "SELECT pi.id, pi.code, pi.label, t.id, t.code, t.label, t.order FROM projects_pillar pi "
            "LEFT JOIN projects_theme t ON t.pillar_id = pi.id",
            [],
        ),
        ('SELECT id, code, label, short_label, "order" FROM funding_funder', []),
        (
            "SELECT p.year, p.pillar_id, p.theme_id, p.status, COUNT(*), "
            "COUNT(*) FILTER (WHERE o.kind = 'association'), "
            f"COUNT(*) FILTER (WHERE {prog} AND p.id IN (SELECT project_id FROM funding_fundingline "
            "WHERE funder_id = %s AND amount_granted > 0)) "
            "FROM projects_project p JOIN projects_operator o ON o.id = p.operator_id "
            "WHERE p.year = ANY(%s) GROUP BY 1, 2, 3, 4",
            [anct, wanted],
        ),
        (
            "SELECT p.year, COUNT(DISTINCT l.project_id), SUM(l.amount_granted) FROM funding_fundingline l "
            "JOIN projects_project p ON p.id = l.project_id WHERE l.funder_id = %s AND l.amount_granted > 0 "
            f"AND p.year = ANY(%s) AND {prog} GROUP BY 1",
            [fcs, wanted],
        ),
        (
            "SELECT p.year, p.pillar_id, p.theme_id, l.nature, l.funder_id, SUM(l.amount_granted) "
            "FROM funding_fundingline l JOIN projects_project p ON p.id = l.project_id "
            f"WHERE p.year = ANY(%s) AND {prog} GROUP BY 1, 2, 3, 4, 5",
            [wanted],
        ),
        ("SELECT year, fcs_envelope FROM projects_programmeyear WHERE year = ANY(%s)", [wanted]),
        (
            "SELECT programmeyear_id, theme_id FROM projects_programmeyear_priority_themes "
            "WHERE programmeyear_id = ANY(%s)",
            [wanted],
        ),
        ("SELECT commune_id, project_title, amount FROM funding_fondsdeconcours WHERE year = %s", [year]),
    ]
    return run_sql(statements), len(statements)


# The import.


def import_file(year: int, rows: int, seed: int = 7) -> tuple[bytes, dict]:
    """A programmation file of `rows` funding lines, ~5 a dossier, for `year`: porteurs mostly
    already known (by name, with their SIRET and kind), some new; real quartiers, thématiques
    and funders; statuses as a year being programmed."""
    from projects.imports.format import COLUMNS
    from projects.models import Funder, Operator, Quartier, Theme

    rng = random.Random(seed)
    operators = list(Operator.objects.order_by("pk").values_list("name", "siret", "kind")[:5000])
    quartiers = [q.code for q in Quartier.objects.order_by("pk")[:2000]]
    themes = list(Theme.objects.values_list("code", "pillar__code"))
    funders = [code for code in Funder.objects.values_list("code", flat=True)]
    statuses = ["depose", "en_instruction", "programme", "programme", "programme", "refuse"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    written, dossier = 0, 0
    while written < rows:
        dossier += 1
        if rng.random() < 0.8 and operators:
            name, siret, kind = rng.choice(operators)
        else:
            name, siret, kind = f"Porteur du banc d'essai {dossier}", "", "association"
        theme, pillar = rng.choice(themes)
        status = rng.choice(statuses)
        chosen = "|".join(rng.sample(quartiers, k=min(len(quartiers), rng.choice([1, 2, 3]))))
        for funder in rng.sample(funders, k=min(len(funders), rows - written, rng.choice([4, 5, 6]))):
            requested = Decimal(rng.randrange(500, 60000, 50))
            granted = requested if status == "programme" else ""
            cells = {
                "annee": year,
                "numero_dossier": f"BENCH-{dossier:05d}",
                "intitule": f"Action du banc d'essai n° {dossier}",
                "porteur": name,
                "siret": siret,
                "type_porteur": kind,
                "pilier": pillar,
                "thematique": theme,
                "quartiers": chosen,
                "statut": status,
                "financeur": funder,
                "nature": "",
                "montant_demande": f"{requested:.2f}",
                "montant_accorde": f"{granted:.2f}" if granted != "" else "",
            }
            writer.writerow([cells[column] for column in COLUMNS])
            written += 1
    return out.getvalue().encode("utf-8"), {"dossiers": dossier}


class Rollback(Exception):
    pass


def measure_import(rows: int, runs: int, user) -> Measure:
    from django.db import transaction

    from projects.imports.service import programmation_import
    from projects.models import ProgrammeYear

    taken = set(ProgrammeYear.objects.values_list("year", flat=True))
    year = next(y for y in range(2099, 2000, -1) if y not in taken)
    content, info = import_file(year, rows)
    measure = Measure(
        name=f"import of a {rows:,}-row file ({info['dossiers']:,} new dossiers, year {year})",
        target="≥ 3,000 rows/s, ≤ 3 × floor",
    )
    history = _history_tables()
    results = []
    cpu = measure.cpu

    def once():
        try:
            with transaction.atomic():
                mark = _history_mark(history)
                started, started_cpu = time.perf_counter(), time.process_time()
                result = programmation_import(content=content, filename="bench.csv", user=user)
                elapsed = time.perf_counter() - started
                cpu.append(time.process_time() - started_cpu)
                assert result.ok, result.errors[:5]
                results.append((elapsed, result, _history_since(history, mark)))
                raise Rollback
        except Rollback:
            pass

    once()  # warm: the vocabulary's first reads, the code paths
    results.clear()
    cpu.clear()
    for _ in range(runs):
        once()
    measure.runs = [elapsed for elapsed, _result, _history in results]
    _elapsed, result, history_rows = results[-1]
    measure.queries = count_queries(once)
    measure.peak_mib = python_peak(once)
    del cpu[len(measure.runs) :]  # the runs above only
    measure.floor_runs = [_import_floor(content) for _ in range(runs)]
    measure.floor_queries = 0
    measure.extra = {
        "rows": rows,
        "rows_per_s": rows / statistics.median(measure.runs),
        "floor_rows_per_s": rows / statistics.median(measure.floor_runs),
        "created": result.projects_created,
        "lines": result.lines,
        "operators_created": result.operators_created,
        "history_rows": history_rows,
    }
    measure.note = (
        f"{result.projects_created:,} dossiers, {result.lines:,} lines, {result.operators_created} new "
        f"porteurs; history rows written: {history_rows:,}"
    )
    return measure


def _history_tables() -> list[str]:
    from django.apps import apps

    return [m._meta.db_table for m in apps.get_models() if m.__name__.startswith("Historical")]


def _history_mark(tables: list[str]) -> list[int]:
    """The last identifier of each history table."""
    from django.db import connection

    marks = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT COALESCE(MAX(history_id), 0) FROM "{table}"')
            marks.append(cursor.fetchone()[0])
    return marks


def _history_since(tables: list[str], marks: list[int]) -> int:
    """History rows written since `marks` (identifiers taken by rolled-back runs leave gaps)."""
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for table, mark in zip(tables, marks, strict=True):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE history_id > %s', [mark])
            total += cursor.fetchone()[0]
    return total


def _import_floor(content: bytes) -> float:
    """A COPY of the same rows into the same tables (dossiers, their quartiers, their lines, their
    first status change, the new porteurs), with the file already parsed: the floor of any import."""
    from django.db import connection, transaction
    from django.utils import timezone

    from projects.models import (
        Funder,
        FundingLine,
        Operator,
        Pillar,
        ProgrammeYear,
        Project,
        Quartier,
        StatusChange,
        Theme,
    )

    reader = csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter=";")
    rows = list(reader)
    funders = {f.code: f for f in Funder.objects.all()}
    pillars = dict(Pillar.objects.values_list("code", "pk"))
    themes = dict(Theme.objects.values_list("code", "pk"))
    quartiers = {q.code: q.pk for q in Quartier.objects.all()}
    names = {row["porteur"] for row in rows}
    operators = dict(Operator.objects.filter(name__in=names).values_list("name", "pk"))
    now = timezone.now()
    dossiers: dict[str, dict] = {}
    for row in rows:
        dossiers.setdefault(row["numero_dossier"], {"first": row, "lines": []})["lines"].append(row)

    def copy(model, objects):
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and f.get_internal_type().endswith("AutoField"))
        ]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copier:
                for obj in objects:
                    copier.write_row(
                        [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                    )

    try:
        with transaction.atomic():
            started = time.perf_counter()
            new_operators = [
                Operator(name=name, kind="association") for name in sorted(names) if name not in operators
            ]
            copy(Operator, new_operators)
            operators.update(
                Operator.objects.filter(name__in=[o.name for o in new_operators]).values_list("name", "pk")
            )
            year = int(rows[0]["annee"])
            copy(ProgrammeYear, [ProgrammeYear(year=year)])
            copy(
                Project,
                [
                    Project(
                        year_id=year,
                        reference=reference,
                        title=d["first"]["intitule"],
                        operator_id=operators[d["first"]["porteur"]],
                        pillar_id=pillars[d["first"]["pilier"]],
                        theme_id=themes[d["first"]["thematique"]],
                        status=d["first"]["statut"],
                    )
                    for reference, d in dossiers.items()
                ],
            )
            ids = dict(Project.objects.filter(year_id=year).order_by().values_list("reference", "pk"))
            Through = Project.quartiers.through
            copy(
                Through,
                [
                    Through(project_id=ids[reference], quartier_id=quartiers[code])
                    for reference, d in dossiers.items()
                    for code in d["first"]["quartiers"].split("|")
                    if code
                ],
            )
            copy(
                FundingLine,
                [
                    FundingLine(
                        project_id=ids[reference],
                        funder_id=funders[line["financeur"]].pk,
                        nature=funders[line["financeur"]].default_nature,
                        amount_requested=Decimal(line["montant_demande"]),
                        amount_granted=Decimal(line["montant_accorde"]) if line["montant_accorde"] else None,
                        position=position,
                    )
                    for reference, d in dossiers.items()
                    for position, line in enumerate(d["lines"], start=1)
                ],
            )
            copy(
                StatusChange,
                [
                    StatusChange(project_id=ids[reference], to_status=d["first"]["statut"], changed_at=now)
                    for reference, d in dossiers.items()
                ],
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


# The PDF, in a small database of its own and a process of its own.


def pdf_database_url(scale_url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(scale_url)
    name = parts.path.lstrip("/") + "_pdf"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def prepare_pdf_database(name: str, url: str) -> float:
    from django.db import connection

    started = time.perf_counter()
    # Made anew each run: a database left by an older schema would not migrate.
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


def pdf_worker(args) -> None:
    """In the small database: the PDF (first request, then recomposed with its charts redrawn,
    as after any change of the data), then the query counts of the other pages at this scale."""
    setup_django()
    from django.test import Client

    from reports import bilan, svg

    sys.path.insert(0, str(ROOT / "bench"))
    from bilan_pdf import children_pss

    client = Client()
    client.force_login(bench_user())
    year = 2021
    url = f"/bilan/{year}.pdf"

    def get(path=url):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def fresh():
        bilan.clear_pdf_cache()
        svg.clear_cache()
        return get()

    started = time.perf_counter()
    size = len(get().content)
    first = time.perf_counter() - started
    cpu: list[float] = []
    runs = timed(fresh, args.runs, warm=0, cpu=cpu)
    cached = timed(get, args.runs, warm=0)
    queries = count_queries(fresh)
    peak = python_peak(fresh)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pss = children_pss() / 1024
    # The floor: the SQL of the bilan's figures and lists for that year.
    from projects.models import Funder

    funders = dict(Funder.objects.values_list("code", "pk"))
    floor, floor_queries = bilan_json_floor(year, funders.get("anct"), funders.get("cabbalr_fcs"))
    floor_runs = timed(floor, args.runs)
    small = {}
    for key, path in small_pages(year).items():
        get(path)
        small[key] = count_queries(lambda p=path: get(p))
    print(
        json.dumps(
            {
                "size_kib": size / 1024,
                "first": first,
                "runs": runs,
                "cpu": cpu,
                "cached": cached,
                "queries": queries,
                "peak_mib": peak,
                "rss_mib": rss,
                "chromium_pss_mib": pss,
                "floor_runs": floor_runs,
                "floor_queries": floor_queries,
                "small_queries": small,
            }
        )
    )


def small_pages(year: int) -> dict[str, str]:
    filtered = f"pilier={FILTER_PILLAR}&financeur={FILTER_FUNDER}"
    return {
        "dashboard": f"/tableau-de-bord/?annee={year}",
        "dashboard_filtered": f"/tableau-de-bord/?annee={year}&{filtered}",
        "list": "/projets/",
        "list_year": f"/projets/?annee={year}",
        "list_filtered": f"/projets/?annee={year}&statut=programme&{filtered}",
        "bilan_json": f"/bilan/{year}.json",
    }


def bench_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from contratville import roles

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    user.groups.add(Group.objects.get(name=roles.DIRECTION), Group.objects.get(name=roles.AGENT))
    return user


# The machine.


def machine() -> dict:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    release = (
        dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        .get("PRETTY_NAME", "")
        .strip('"')
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', "
            "'jit', 'random_page_cost', 'max_parallel_workers_per_gather', 'effective_cache_size')"
        )
        settings = {
            name: f"{setting}{' × ' + unit if unit else ''}" for name, setting, unit in cursor.fetchall()
        }
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM projects_project), (SELECT COUNT(*) FROM funding_fundingline), "
            "(SELECT COUNT(DISTINCT year) FROM projects_project)"
        )
        projects, lines, years = cursor.fetchone()
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{memory / 2**20:.1f} GiB",
        "os": release,
        "python": platform.python_version(),
        "postgresql": server,
        "pg_settings": settings,
        "data": f"{projects:,} dossiers, {lines:,} funding lines, {years} years",
        "load": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="the year measured (default: the latest year − 2)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each page (15)")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    parser.add_argument(
        "--section",
        default=DEFAULT_SECTION,
        help="the section of docs/performance.md to rewrite (results; settings: a run with other "
        "PostgreSQL settings in DATABASE_URL)",
    )
    parser.add_argument("--worker", choices=["pdf"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "pdf":
        args.runs = args.pdf_runs
        pdf_worker(args)
        return

    setup_django()
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit("bench/run.py mesure PostgreSQL : DATABASE_URL doit nommer la base à l'échelle nationale.")
    from projects.models import Project

    years = sorted(set(Project.objects.values_list("year_id", flat=True).distinct()))
    if not years:
        sys.exit("La base ne contient aucun dossier : manage.py generate_scale_data d'abord.")
    year = args.year or years[-3 if len(years) >= 3 else -1]
    info = machine()
    print(f"{info['data']} ; année mesurée : {year} ; charge : {info['load']}", flush=True)
    funders, pillars = _ids()
    anct, fcs = funders.get("anct"), funders.get("cabbalr_fcs")
    user = bench_user()
    client = Client()
    client.force_login(user)
    measures: list[Measure] = []

    def add(measure: Measure) -> None:
        measures.append(measure)
        print(
            f"  {measure.name}: médiane {measure.median_ms:.0f} ms, p95 {measure.p95_ms:.0f} ms, "
            f"{measure.queries} requêtes, pic Python {measure.peak_mib:.1f} Mio, "
            f"plancher {measure.floor_ms:.0f} ms (× {measure.ratio:.2f})",
            flush=True,
        )

    filtered = f"pilier={FILTER_PILLAR}&financeur={FILTER_FUNDER}"
    floor, n = dashboard_floor(year, years, None, None, anct, fcs)
    add(
        measure_page(
            "Dashboard",
            client,
            f"/tableau-de-bord/?annee={year}",
            args.runs,
            floor,
            n,
            "≤ 150 ms, ≤ 1.5 × floor",
        )
    )
    floor, n = dashboard_floor(year, years, pillars[FILTER_PILLAR], funders[FILTER_FUNDER], anct, fcs)
    add(
        measure_page(
            "Dashboard, filtered",
            client,
            f"/tableau-de-bord/?annee={year}&{filtered}",
            args.runs,
            floor,
            n,
            "≤ 150 ms, ≤ 1.5 × floor",
        )
    )
    # The same pages' first view after a change: what the versioned cache cannot save.
    change_runs = max(5, args.runs // 3)
    after_change = []
    floor, n = dashboard_floor(year, years, None, None, anct, fcs)
    after_change.append(
        measure_after_change(
            "Dashboard, first view after a change to one of the year's dossiers",
            client,
            f"/tableau-de-bord/?annee={year}",
            year,
            change_runs,
            floor,
            n,
        )
    )
    floor, n = list_floor(None, None, None, None)
    after_change.append(
        measure_after_change(
            "Dossier list, first view after a change", client, "/projets/", year, change_runs, floor, n
        )
    )
    floor, n = bilan_json_floor(year, anct, fcs)
    after_change.append(
        measure_after_change(
            "Bilan JSON, first view after a change",
            client,
            f"/bilan/{year}.json",
            year,
            change_runs,
            floor,
            n,
        )
    )
    floor, n = list_floor(None, None, None, None)
    add(measure_page("Dossier list", client, "/projets/", args.runs, floor, n, "≤ 150 ms"))
    floor, n = list_floor(year, None, None, None)
    add(
        measure_page(
            "Dossier list, one year", client, f"/projets/?annee={year}", args.runs, floor, n, "≤ 150 ms"
        )
    )
    floor, n = list_floor(year, "programme", pillars[FILTER_PILLAR], funders[FILTER_FUNDER])
    add(
        measure_page(
            "Dossier list, filtered",
            client,
            f"/projets/?annee={year}&statut=programme&{filtered}",
            args.runs,
            floor,
            n,
            "≤ 150 ms",
        )
    )
    floor, n = bilan_json_floor(year, anct, fcs)
    add(measure_page("Bilan JSON", client, f"/bilan/{year}.json", args.runs, floor, n, "≤ 300 ms"))
    keys = ["dashboard", "dashboard_filtered", "list", "list_year", "list_filtered", "bilan_json"]
    for key, measure in zip(keys, measures, strict=True):
        measure.extra["page"] = key
    for measure in after_change:
        add(measure)

    if not args.skip_import:
        print("Import…", flush=True)
        add(measure_import(args.import_rows, args.import_runs, user))

    pdf = None
    if not args.skip_pdf:
        url, name = pdf_database_url(os.environ["DATABASE_URL"])
        print(f"PDF : base {name} (migrate + load_demo)…", flush=True)
        prepared = prepare_pdf_database(name, url)
        env = {**os.environ, "DATABASE_URL": url}
        output = subprocess.run(
            [sys.executable, __file__, "--worker", "pdf", "--pdf-runs", str(args.pdf_runs)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pdf = json.loads(output.strip().splitlines()[-1])
        measure = Measure(
            name="Bilan PDF, CABBALR-size year (demo 2021), recomposed, charts redrawn",
            runs=pdf["runs"],
            cpu=pdf["cpu"],
            queries=pdf["queries"],
            peak_mib=pdf["peak_mib"],
            floor_runs=pdf["floor_runs"],
            floor_queries=pdf["floor_queries"],
            target="≤ 3 s, ≤ 300 MB peak",
        )
        measure.extra = {k: pdf[k] for k in ("size_kib", "first", "rss_mib", "chromium_pss_mib")}
        measure.extra["cached_ms"] = statistics.median(pdf["cached"]) * 1000
        measure.extra["prepared_s"] = prepared
        measure.note = (
            f"first request {pdf['first']:.2f} s (Chromium starts); served again unchanged "
            f"{measure.extra['cached_ms']:.0f} ms; process peak RSS {pdf['rss_mib']:.0f} MiB + Chromium "
            f"{pdf['chromium_pss_mib']:.0f} MiB (PSS)"
        )
        add(measure)
        for m in measures:
            if "page" in m.extra:
                m.small_queries = pdf["small_queries"].get(m.extra["page"])

    info["load_after"] = os.getloadavg()
    info["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = render(info, year, measures)
    print()
    print(report)
    if not args.no_write:
        write_doc(report, args.section)
        print(f"Écrit dans {DOC.relative_to(ROOT)}.")


def verdict(measure: Measure) -> str:
    """Whether the targets of issue 7 are met."""
    page = measure.extra.get("page", "")
    if page == "after_change":
        return "(information)"
    checks = []
    if page.startswith("dashboard"):
        checks = [measure.median_ms <= 150, measure.ratio <= 1.5]
    elif page.startswith("list"):
        checks = [measure.median_ms <= 150]
    elif page == "bilan_json":
        checks = [measure.median_ms <= 300]
    elif "rows_per_s" in measure.extra:
        checks = [measure.extra["rows_per_s"] >= 3000, measure.ratio <= 3]
    elif "rss_mib" in measure.extra:
        checks = [measure.median_ms <= 3000, measure.extra["rss_mib"] <= 300]
    if page and measure.small_queries is not None:
        checks.append(measure.small_queries == measure.queries)
    return "met" if all(checks) else "**not met**"


def render(info: dict, year: int, measures: list[Measure]) -> str:
    load = ", ".join(f"{x:.2f}" for x in info["load"])
    load_after = ", ".join(f"{x:.2f}" for x in info["load_after"])
    settings = ", ".join(f"{k} = {v}" for k, v in sorted(info["pg_settings"].items()))
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `{' '.join(['bench/run.py', *sys.argv[1:]])}`.",
        "",
        f"- Machine: {info['cpu']}, {info['memory']}, {info['os']}, Python {info['python']}, "
        f"PostgreSQL {info['postgresql']} ({settings}).",
        f"- Data: {info['data']}; year measured: {year}.",
        f"- Load average (1, 5, 15 min) before: {load}; after: {load_after} "
        "(other work on the machine lengthens the wall-clock times).",
        f"- Peak resident memory of the benchmark's process: {info['rss_mib']:.0f} MiB.",
        "",
        "| Measure | Median | p95 | CPU (Python) | Queries (CABBALR scale) | Python peak | SQL floor | Ratio "
        "| Target | |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for m in measures:
        small = f" ({m.small_queries})" if m.small_queries is not None else ""
        floor = (
            f"{m.floor_ms:.0f} ms ({m.floor_queries} q.)"
            if m.floor_queries
            else f"{m.floor_ms:.0f} ms (COPY)"
        )
        if "rows_per_s" in m.extra:
            median = f"{m.median_ms:.0f} ms = {m.extra['rows_per_s']:,.0f} rows/s"
            floor = f"{m.floor_ms:.0f} ms = {m.extra['floor_rows_per_s']:,.0f} rows/s (COPY)"
        else:
            median = f"{m.median_ms:.0f} ms"
        lines.append(
            f"| {m.name} | {median} | {m.p95_ms:.0f} ms | {m.cpu_ms:.0f} ms | {m.queries}{small} | "
            f"{m.peak_mib:.1f} MiB | "
            f"{floor} | × {m.ratio:.2f} | {m.target} | {verdict(m)} |"
        )
    notes = [f"- {m.name}: {m.note}" for m in measures if m.note]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def write_doc(report: str, section: str = DEFAULT_SECTION) -> None:
    start, end = f"<!-- bench:{section}:start -->", f"<!-- bench:{section}:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    _old, after = rest.split(end, 1)
    DOC.write_text(f"{before}{start}\n{report}\n{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()

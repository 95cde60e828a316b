"""Time and queries of a comité's scenario: its table, a cell saved, the projected figures.

    .venv/bin/python bench/comite.py [--dossiers 500 2000] [--lines 5]

For each size, a throw-away database (SQLite in a temporary folder, or the PostgreSQL database
of `--database postgres://…`, which is emptied first) gets a séance whose agenda holds
`--dossiers` dossiers of `--lines` funding lines each, and one scenario. Through Django's test
client, signed in as the direction, it measures (median of the runs, wall-clock and queries):
- the scenario's page (`/comites/scenarios/<id>/`, 50 rows by default, and 200 rows);
- one cell saved (`/comites/scenarios/<id>/cellule/`, what the table's script posts);
- the projected figures: the comparison page of the scenario (`/comites/seances/<id>/comparer/`),
  the dashboard's figures computed as if the scenario were applied.
Targets (issue 13), for 500 dossiers × 5 lines: page ≤ 300 ms, cell ≤ 100 ms, projected figures
≤ 200 ms; query counts the same at every size. Other processes on the machine lengthen these
times: run it on a quiet machine.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FUNDERS = ["anct", "cabbalr_fcs", "region", "departement", "caf", "etat_droit_commun", "commune"]


def build(count: int, lines: int):
    """A séance of `count` dossiers (each with `lines` funding lines) and its scenario."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from comites.models import SeanceKind
    from comites.services import agenda_add_projects, scenario_create, seance_create
    from contratville import roles
    from projects.models import Funder, FundingLine, Operator, Pillar, ProgrammeYear, Project, Status, Theme

    direction = get_user_model().objects.create(username=f"bench-direction-{count}")
    direction.groups.add(Group.objects.get(name=roles.DIRECTION))
    ProgrammeYear.objects.get_or_create(year=2031)
    pillars = list(Pillar.objects.order_by("order"))
    theme = Theme.objects.get(code="1.1")
    funders = list(Funder.objects.order_by("order", "code"))[:lines]
    if len(funders) < lines:
        raise SystemExit(f"Seulement {len(funders)} financeurs : --lines {lines} impossible.")
    operators = Operator.objects.bulk_create(
        Operator(name=f"Association banc d'essai {count}-{n}", kind="association") for n in range(count)
    )
    projects = Project.objects.bulk_create(
        Project(
            year_id=2031,
            reference=f"BENCH-{count}-{n:05d}",
            title=f"Action n° {n}",
            operator=operator,
            pillar=pillars[n % len(pillars)],
            theme=theme,
            status=Status.EN_INSTRUCTION,
        )
        for n, operator in enumerate(operators)
    )
    FundingLine.objects.bulk_create(
        FundingLine(
            project=project,
            funder=funder,
            nature=funder.default_nature,
            amount_requested=Decimal(1000 + 37 * n + 250 * position),
            position=position,
        )
        for n, project in enumerate(projects)
        for position, funder in enumerate(funders)
    )
    seance = seance_create(year=2031, date=datetime.date(2031, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    agenda_add_projects(seance=seance, project_ids=[p.pk for p in projects])
    scenario = scenario_create(seance=seance, name="Proposition")
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them in production: without them, the planner
        # picks plans for empty tables right after the bulk inserts.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return seance, scenario, direction


def measure(function, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        queries.append(len(captured))
    return statistics.median(times) * 1000, statistics.median(queries)


def run(count: int, lines: int, runs: int) -> list[tuple[str, float, float]]:
    from django.test import Client

    from comites.models import ScenarioLine, ScenarioOpinion

    start = time.perf_counter()
    seance, scenario, direction = build(count, lines)
    print(
        f"  {count} dossiers × {lines} lignes construits en {time.perf_counter() - start:.1f} s", flush=True
    )
    client = Client()
    client.force_login(direction)
    page = f"/comites/scenarios/{scenario.pk}/"
    compare = f"/comites/seances/{seance.pk}/comparer/?a={scenario.pk}"
    cells = list(
        ScenarioLine.objects.filter(scenario=scenario)
        .order_by("pk")
        .values_list("pk", "project_id")[:: max(1, count // 7)]
    )
    state = {"n": 0}

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    def save_cell():
        line_id, project_id = cells[state["n"] % len(cells)]
        state["n"] += 1
        version = (
            ScenarioOpinion.objects.filter(scenario=scenario, project_id=project_id)
            .values_list("version", flat=True)
            .first()
            or 1
        )
        response = client.post(
            f"/comites/scenarios/{scenario.pk}/cellule/",
            {"ligne": line_id, "montant": f"{1000 + state['n']},50", "version": version},
        )
        assert response.status_code == 200, response.content[:300]

    get(page)()  # a first request warms the session, the templates and the content types
    return [
        ("page du scénario (50 lignes)", *measure(get(page), runs)),
        ("page du scénario (200 lignes)", *measure(get(page + "?par_page=200"), runs)),
        ("une cellule enregistrée", *measure(save_cell, runs * 2)),
        ("chiffres projetés (comparaison)", *measure(get(compare), runs)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--lines", type=int, default=5, help="funding lines per dossier (5)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure (5)")
    parser.add_argument("--database", default="", help="postgres://… (emptied!); default: a temporary SQLite")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="bench-comite-")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "contratville.settings.dev"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the sign-in records of contratville.security
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    engine = "PostgreSQL" if "postgres" in settings.DATABASES["default"]["ENGINE"] else "SQLite"
    print(f"Base : {engine} ; migrate…", flush=True)
    with open(os.devnull, "w") as devnull:
        if args.database:
            from django.db import connection

            # A clean start: the migrations write the reference data (flush would remove it).
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        call_command("migrate", verbosity=0, stdout=devnull)
    results = {}
    for count in args.dossiers:
        results[count] = run(count, args.lines, args.runs)
    labels = [label for label, _ms, _q in results[args.dossiers[0]]]
    header = "".join(f" | {count} dossiers" for count in args.dossiers)
    print(f"\n| mesure (médiane){header} |")
    print("|---" + "|---:" * len(args.dossiers) + "|")
    for index, label in enumerate(labels):
        cells = "".join(
            f" | {results[c][index][1]:.0f} ms, {results[c][index][2]:.0f} requêtes" for c in args.dossiers
        )
        print(f"| {label}{cells} |")
    print(
        "\nObjectifs (500 dossiers × 5 lignes) : page ≤ 300 ms, cellule ≤ 100 ms, chiffres projetés ≤ 200 ms."
    )
    workdir.cleanup()


if __name__ == "__main__":
    main()

"""Rows per second of the programmation import (`programmation_import`) on a 10,000-row file.

    .venv/bin/python bench/import_rate.py [--rows 10000] [--lines-per-dossier 4] [--repeat 3]

A throw-away SQLite database is created and migrated (or DATABASE_URL is used as is with
`--current-db`: PostgreSQL, for instance). The file is generated in memory, deterministic:
dossiers of `--lines-per-dossier` funding lines each, new operators, two quartiers each. Then,
each `--repeat` times, on a database emptied of dossiers first:
- a first import: every dossier, line and operator created;
- a second import of the same dossiers with other amounts and statuses: every dossier updated,
  its lines replaced;
- the same second file again: nothing changes.
Printed: the best wall-clock time of each, in rows per second, and the history rows written
(the audit trail's cost).
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FUNDERS = ["anct", "region", "caf", "commune", "departement", "cabbalr_fcs", "fse", "bailleur"]
THEMES = [("cohesion_sociale", "1.1"), ("emploi", "2.1"), ("cadre_de_vie", "3.1")]
QUARTIERS = ["QP062004", "QP062008", "QP062011", "QN06211M"]


def programmation_csv(rows: int, lines_per_dossier: int, variant: int) -> bytes:
    # The import format's own columns, in their order.
    from projects.imports.format import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    statuses = ["programme", "en_instruction"] if variant == 0 else ["justifie", "programme"]
    for number in range(rows // lines_per_dossier):
        pillar, theme = THEMES[number % len(THEMES)]
        quartiers = "|".join(QUARTIERS[(number + k) % len(QUARTIERS)] for k in range(2))
        for position in range(lines_per_dossier):
            requested = 1000 + (number * 37 + position * 11) % 9000 + variant * 50
            writer.writerow(
                {
                    "annee": "2023",
                    "numero_dossier": f"B{number:05d}",
                    "intitule": f"Action de quartier n° {number}",
                    "porteur": f"Association de banc d'essai n° {number // 3}",
                    "siret": "",
                    "type_porteur": "association",
                    "pilier": pillar,
                    "thematique": theme,
                    "quartiers": quartiers,
                    "statut": statuses[number % 2],
                    "financeur": FUNDERS[(number + position) % len(FUNDERS)],
                    "nature": "",
                    "montant_demande": f"{requested},00",
                    "montant_accorde": f"{requested - 100},00",
                }
            )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--lines-per-dossier", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--current-db", action="store_true", help="use DATABASE_URL / db.sqlite3 as is")
    args = parser.parse_args()

    workdir = None
    if not args.current_db:
        workdir = tempfile.TemporaryDirectory(prefix="bench-import-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contratville.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from contratville import roles
    from projects.imports.service import programmation_import
    from projects.models import Operator, Project

    if workdir is not None:
        with open(os.devnull, "w") as devnull:
            call_command("migrate", verbosity=0, stdout=devnull)
    user, _ = get_user_model().objects.get_or_create(username="banc-d-essai")
    # The files programme and justify dossiers: the direction's import.
    user.groups.add(Group.objects.get(name=roles.DIRECTION))
    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]

    def history_rows() -> int:
        return sum(model.objects.count() for model in history_models)

    first = programmation_csv(args.rows, args.lines_per_dossier, variant=0)
    second = programmation_csv(args.rows, args.lines_per_dossier, variant=1)
    print(
        f"Base : {connection.vendor} ; fichier de {args.rows} lignes ({args.rows // args.lines_per_dossier} dossiers)"
    )

    best: dict[str, float] = {}
    written: dict[str, int] = {}
    for _ in range(args.repeat):
        Project.objects.filter(reference__startswith="B").delete()
        Operator.objects.filter(name__startswith="Association de banc").delete()
        for label, content in (("création", first), ("mise à jour", second), ("inchangé", second)):
            before = history_rows()
            start = time.perf_counter()
            result = programmation_import(content=content, filename="banc.csv", user=user)
            elapsed = time.perf_counter() - start
            assert result.ok, result.errors[:3]
            best[label] = min(best.get(label, elapsed), elapsed)
            written[label] = history_rows() - before
    for label, elapsed in best.items():
        print(
            f"  {label:12} : {elapsed:6.2f} s, {args.rows / elapsed:7.0f} lignes/s "
            f"({written[label]} lignes d'historique écrites)"
        )
    if workdir is not None:
        workdir.cleanup()


if __name__ == "__main__":
    main()

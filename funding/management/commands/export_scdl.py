"""`manage.py export_scdl YEAR [--output FILE]`: the agglomeration's subsidies of YEAR as SCDL
« subventions » open data (docs/contracts.md §10, funding/scdl.py)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.scdl import scdl_export


class Command(BaseCommand):
    help = "Écrit les subventions de l'agglomération d'une année au format SCDL « subventions » (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année de programmation, par exemple 2021")
        parser.add_argument("--output", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, year, output=None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"Année hors limites : {year} (entre 2000 et 2100).")
        export = scdl_export(year)
        content = export.csv()
        if output:
            Path(output).write_bytes(content)
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
        for problem in export.problems:
            self.stderr.write(problem)
        if export.problems:
            self.stderr.write(
                f"{len(export.problems)} dossier(s) non publiable(s) : corrigez-les puis relancez l'export "
                f"({len(export.rows)} ligne(s) écrite(s))."
            )
            sys.exit(1)

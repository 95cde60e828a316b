"""`manage.py bilan YEAR --format json|html|pdf [--output FILE]` (CONTRACTS.md §4)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from reports.selectors import bilan_as_json


class Command(BaseCommand):
    help = "Produit le bilan annuel d'une année (JSON ; HTML et PDF à venir)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année du bilan, par exemple 2021")
        parser.add_argument("--format", choices=["json", "html", "pdf"], default="json", dest="fmt")
        parser.add_argument("--output", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, year, fmt, output, **options):
        if fmt != "json":
            raise CommandError(
                f"Le format {fmt} du bilan n'est pas encore disponible ; utilisez --format json."
            )
        text = json.dumps(bilan_as_json(year), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Bilan {year} écrit dans {output}")
        else:
            sys.stdout.write(text)

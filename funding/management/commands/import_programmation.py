"""`manage.py import_programmation FILE [--dry-run]` (CONTRACTS.md §3)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.services import programmation_import


class Command(BaseCommand):
    help = "Importe une programmation (CSV ou XLSX) : tout le fichier ou rien."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV ou XLSX au format d'import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifie le fichier et affiche le bilan sans rien enregistrer",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        result = programmation_import(content=path.read_bytes(), filename=path.name, dry_run=dry_run)
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"Import refusé, {result.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                ("Simulation réussie : " if dry_run else "Import réussi : ") + result.summary()
            )
        )

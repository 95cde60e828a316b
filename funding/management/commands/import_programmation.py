"""`manage.py import_programmation FILE [--dry-run] [--utilisateur LOGIN]` (CONTRACTS.md §3).

`--utilisateur` names the person the audit trail records as the author of the import."""

from pathlib import Path

from django.contrib.auth import get_user_model
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
        parser.add_argument(
            "--utilisateur",
            metavar="LOGIN",
            help="identifiant de la personne qui importe, inscrite comme auteur dans l'historique des dossiers",
        )

    def handle(self, *args, file, dry_run, utilisateur=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        user = None
        if utilisateur:
            user = get_user_model().objects.filter(username=utilisateur).first()
            if user is None:
                raise CommandError(f"Utilisateur inconnu : {utilisateur}")
        result = programmation_import(
            content=path.read_bytes(), filename=path.name, dry_run=dry_run, user=user
        )
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"Import refusé, {result.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                ("Simulation réussie : " if dry_run else "Import réussi : ") + result.summary()
            )
        )

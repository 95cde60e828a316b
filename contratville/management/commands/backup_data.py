"""`manage.py backup_data [--output DIR]`: a dated backup of the whole database (`make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contratville.backups import BackupError, backup, database


class Command(BaseCommand):
    help = (
        "Sauvegarde toute la base dans un fichier daté (backups/ par défaut) : pg_dump au format "
        "custom sur PostgreSQL, copie cohérente sur SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="dossier où écrire la sauvegarde (par défaut : backups/)")

    def handle(self, *args, output=None, **options):
        try:
            db = database()
            path = backup(Path(output) if output else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde de {db.label} écrite : {path} ({size} octets)"))

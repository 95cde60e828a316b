"""`manage.py restore_data FILE [--yes] [--no-safety-backup]`: replace the whole database by a
backup (`make restore FILE=…`). Asks for confirmation unless `--yes`; first saves the current
data, so that restoring the wrong file can be undone."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contratville.backups import BackupError, backup, check, restore


class Command(BaseCommand):
    help = "Remplace toute la base par une sauvegarde de backup_data (demande confirmation)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier de sauvegarde écrit par backup_data (make backup)")
        parser.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="ne pas sauvegarder d'abord les données actuelles",
        )
        parser.add_argument("--output", help="dossier de la sauvegarde de sécurité (par défaut : backups/)")

    def handle(self, *args, file, yes=False, no_safety_backup=False, output=None, **options):
        path = Path(file)
        try:
            db = check(path)
            if not yes and not self._confirmed(path, db.label):
                raise CommandError("Restauration annulée : rien n'a été modifié.")
            if not no_safety_backup:
                safety = backup(Path(output) if output else None)
                self.stdout.write(f"Données actuelles sauvegardées d'abord dans {safety}")
            restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Base {db.label} restaurée depuis {path}."))

    def _confirmed(self, path: Path, label: str) -> bool:
        self.stdout.write(f"Toutes les données de la base {label} vont être remplacées par celles de {path}.")
        try:
            answer = input("Tapez « oui » pour confirmer : ")
        except EOFError:
            return False
        return answer.strip().lower() == "oui"

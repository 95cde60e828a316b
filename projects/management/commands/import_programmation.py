"""`manage.py import_programmation FILE [--dry-run] [--utilisateur LOGIN [--reprise]]`
(docs/import-format.md).

Whose rights the import has (`projects.imports.rights.import_rights`):
- `--utilisateur LOGIN`: that person's, as in the browser, and the history names them;
- `--utilisateur LOGIN --reprise`: a data recovery by an administrator, any status allowed,
  recorded as such;
- neither: the server's operator, who holds the shell and the database already: every right,
  recorded as a command-line import."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from projects.imports.service import programmation_import


class Command(BaseCommand):
    help = (
        "Importe une programmation (CSV ou XLSX) : tout le fichier ou rien. "
        "Avec --utilisateur, l'import a les droits de cette personne (comme dans le navigateur : "
        "seule la direction programme ou refuse, les changements de statut suivent le circuit "
        "d'instruction). Sans --utilisateur, il est fait par l'exploitant du serveur, avec tous les "
        "droits, et l'historique le note comme import en ligne de commande."
    )

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
            help=(
                "identifiant de la personne qui importe : l'import a ses droits et l'historique des "
                "dossiers l'inscrit comme auteur"
            ),
        )
        parser.add_argument(
            "--reprise",
            action="store_true",
            help=(
                "reprise de données, réservée aux administrateurs (avec --utilisateur, superutilisateur "
                "ou groupe « Administrateurs ») : tout statut est accepté, hors circuit d'instruction, "
                "et l'historique le note comme « Reprise de données (import administrateur) »"
            ),
        )

    def handle(self, *args, file, dry_run, utilisateur=None, reprise=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        if reprise and not utilisateur:
            raise CommandError(
                "--reprise demande --utilisateur : l'identifiant de l'administrateur qui reprend les données."
            )
        user = None
        if utilisateur:
            user = get_user_model().objects.filter(username=utilisateur).first()
            if user is None:
                raise CommandError(f"Utilisateur inconnu : {utilisateur}")
        try:
            result = programmation_import(
                content=path.read_bytes(), filename=path.name, dry_run=dry_run, user=user, recovery=reprise
            )
        except PermissionDenied as denied:
            raise CommandError(f"Import refusé : {denied}") from denied
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(f"Import refusé, {result.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                ("Simulation réussie : " if dry_run else "Import réussi : ") + result.summary()
            )
        )

"""Scan the stored pieces again with clamd (new signatures find what yesterday's missed).

    python manage.py rescan_documents [--annee 2024] [--dossier ID] [--tout]

By default the current pieces (neither withdrawn nor replaced) are scanned; `--tout` adds the
history's. A piece found infected is put in quarantine: marked, listed, never downloaded again;
one in quarantine found clean again leaves it. Exit status 1 when a piece is infected, a stored
file is missing, or clamd cannot be reached (nothing then changes)."""

from django.core.management.base import BaseCommand, CommandError

from documents import antivirus
from documents.models import Document, ScanStatus
from documents.services import document_rescan


class Command(BaseCommand):
    help = "Analyse à nouveau les pièces des dossiers avec l'antivirus ; met les fichiers infectés en quarantaine."

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, help="Seulement les dossiers de cette année.")
        parser.add_argument("--dossier", type=int, help="Seulement ce dossier (son identifiant).")
        parser.add_argument("--tout", action="store_true", help="Aussi les pièces retirées ou remplacées.")

    def handle(self, *args, annee=None, dossier=None, tout=False, **options):
        if not antivirus.antivirus_enabled():
            raise CommandError("L'antivirus est désactivé (ANTIVIRUS=off) : aucune pièce n'a été analysée.")
        try:
            engine = antivirus.version()
        except antivirus.ScannerUnavailable as exc:
            raise CommandError(f"L'antivirus ne répond pas ({exc}) : aucune pièce n'a été analysée.") from exc

        documents = Document.objects.select_related("project").order_by("pk")
        if not tout:
            documents = documents.current()
        if annee:
            documents = documents.filter(project__year_id=annee)
        if dossier:
            documents = documents.filter(project_id=dossier)

        scanned, infected, released, missing = 0, [], [], []
        for document in documents.iterator(chunk_size=200):
            was_quarantined = document.scan_status == ScanStatus.INFECTED
            try:
                result = document_rescan(document=document)
            except antivirus.ScannerUnavailable as exc:
                raise CommandError(
                    f"L'antivirus a cessé de répondre après {scanned} pièce(s) ({exc}) : relancez la commande."
                ) from exc
            except OSError:
                missing.append(document)
                continue
            scanned += 1
            if result.infected:
                infected.append((document, result.signature))
            elif was_quarantined:
                released.append(document)

        self.stdout.write(f"{scanned} pièce(s) analysée(s) par {engine}.")
        for document in released:
            self.stdout.write(f"Sortie de quarantaine (aucun virus trouvé) : {self._describe(document)}")
        for document in missing:
            self.stderr.write(f"Fichier introuvable dans le stockage : {self._describe(document)}")
        for document, signature in infected:
            self.stderr.write(f"VIRUS {signature} : {self._describe(document)} — mise en quarantaine.")
        if infected or missing:
            raise CommandError(
                f"{len(infected)} pièce(s) infectée(s) mise(s) en quarantaine, {len(missing)} fichier(s) introuvable(s)."
            )
        self.stdout.write(self.style.SUCCESS("Aucun virus trouvé."))

    @staticmethod
    def _describe(document: Document) -> str:
        project = document.project
        return (
            f"dossier {project.reference} ({project.year_id}, id {project.pk}), pièce {document.pk} "
            f"« {document.original_name} » ({document.get_piece_type_display()})"
        )

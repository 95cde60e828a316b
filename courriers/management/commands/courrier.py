"""`manage.py courrier YEAR NUMERO_DOSSIER --modele notification|refus|convention --output F.pdf`
(README « Les courriers aux porteurs »): that dossier's letter from the current version of the template of that kind,
as a PDF. Nothing is recorded: the letters kept with the dossier are generated from its page or
from a séance's batch. A dossier that does not exist, a kind with no template, or a status that
does not fit the letter (a notification or a convention for a programmed dossier, a refusal for
a refused one) ends with exit code 1 and a French message."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from courriers import selectors, services
from courriers.models import LetterTemplate


class Command(BaseCommand):
    help = "Écrit en PDF le courrier d'un dossier (notification, refus, convention…) d'après le modèle en vigueur."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année de programmation du dossier, par exemple 2021")
        parser.add_argument("reference", help="numéro du dossier, par exemple PV2021-001")
        parser.add_argument(
            "--modele",
            required=True,
            help="modèle de courrier : notification, refus, convention, ou un autre modèle créé par la direction",
        )
        parser.add_argument("--output", required=True, help="fichier PDF à écrire")

    def handle(self, *args, year, reference, modele, output, **options):
        project = selectors.project_for_letter(year=year, reference=reference)
        if project is None:
            raise CommandError(f"Aucun dossier n° {reference} en {year}.")
        template = LetterTemplate.objects.filter(kind=modele).first()
        if template is None:
            kinds = ", ".join(LetterTemplate.objects.order_by("kind").values_list("kind", flat=True))
            raise CommandError(f"Modèle de courrier inconnu : « {modele} ». Modèles existants : {kinds}.")
        try:
            _version, rendered, pdf = services.render_pdf(project=project, template=template)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with open(output, "wb") as handle:
            handle.write(pdf)
        self.stderr.write(f"{template.name} du dossier {project.reference} ({year}) écrite dans {output}")

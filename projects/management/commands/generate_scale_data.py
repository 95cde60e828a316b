"""`manage.py generate_scale_data --dossiers-per-year N --years Y [--seed S] [--force]`."""

import time

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from projects.scale import generate_scale_data


class Command(BaseCommand):
    help = "Ajoute des dossiers synthétiques réalistes, en masse, pour mesurer les performances."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers-per-year", type=int, required=True, help="dossiers par année")
        parser.add_argument(
            "--years", type=int, required=True, help="nombre d'années, jusqu'à l'année en cours"
        )
        parser.add_argument("--seed", type=int, default=0, help="graine du générateur (reproductible)")
        parser.add_argument(
            "--force", action="store_true", help="accepte une base qui contient déjà des dossiers réels"
        )

    def handle(self, *args, dossiers_per_year, years, seed, force, **options):
        if dossiers_per_year < 1 or years < 1:
            raise CommandError("--dossiers-per-year et --years doivent être des entiers positifs.")
        real = Project.objects.filter(is_synthetic=False).count()
        if real and not force:
            raise CommandError(
                f"La base contient {real} dossier(s) non synthétique(s) : refus d'y mêler des données "
                "synthétiques. Utilisez une base dédiée, ou --force si c'est voulu."
            )
        started = time.perf_counter()
        report = generate_scale_data(
            dossiers_per_year=dossiers_per_year, years=years, seed=seed, progress=self.stdout.write
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.projects} dossiers et {report.lines} lignes de financement synthétiques créés "
                f"sur {len(report.years)} année(s) ({report.years[0]}–{report.years[-1]}) en {elapsed:.1f} s."
            )
        )

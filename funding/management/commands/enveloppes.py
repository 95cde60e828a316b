"""`manage.py enveloppes YEAR --format json|texte` (docs/contracts.md §6).

JSON: a list, one object per funder that has an envelope for YEAR or money granted on YEAR's
programmed dossiers, in the funders' order: `financeur`, `annee`, `montant` (its envelope,
null when none), `engage` (granted on programmed dossiers), `reste` (montant − engagé, null
without envelope, negative when over-committed); amounts as strings with two decimals.
`texte`: the same as a table for people."""

import json

from django.core.management.base import BaseCommand, CommandError

from contratville.formatting import euros
from funding.selectors import envelope_usage


class Command(BaseCommand):
    help = "Enveloppes des financeurs pour une année : montant, engagé sur les dossiers programmés, reste."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année, par exemple 2021")
        parser.add_argument("--format", choices=["json", "texte"], default="json", dest="fmt")

    def handle(self, *args, year, fmt, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"Année hors des limites du programme : {year}.")
        usages = envelope_usage(year)
        if fmt == "json":
            self.stdout.write(json.dumps([u.as_json() for u in usages], ensure_ascii=False, indent=2))
            return
        if not usages:
            self.stdout.write(f"Aucune enveloppe ni aucun montant accordé pour {year}.")
            return
        for usage in usages:
            line = f"{usage.funder_label} : enveloppe {euros(usage.montant)}, engagé {euros(usage.engage)}"
            if usage.reste is not None:
                line += f", reste {euros(usage.reste)}"
            if usage.over_committed:
                line += " — DÉPASSEMENT de l'enveloppe"
            self.stdout.write(line)

"""`manage.py bilan YEAR --format json|html|pdf [--output FILE]` (docs/contracts.md §4).

JSON: the machine-readable figures. HTML: the bilan as one standalone document (stylesheet
inline, charts as SVG), the very document the PDF is made from. PDF: A4, as at /bilan/YEAR.pdf.
Without --output, the result goes to the standard output (the PDF as bytes)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from reports import bilan


class Command(BaseCommand):
    help = "Produit le bilan annuel d'une année, en JSON, en HTML ou en PDF."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année du bilan, par exemple 2021")
        parser.add_argument("--format", choices=["json", "html", "pdf"], default="json", dest="fmt")
        parser.add_argument("--output", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, year, fmt, output, **options):
        if fmt == "pdf":
            content: bytes | str = bilan.render_pdf(year)
        elif fmt == "html":
            content = bilan.render_document(year)
        else:
            content = json.dumps(bilan.render_json(year), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "wb") as handle:
                handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))
            self.stderr.write(f"Bilan {year} ({fmt}) écrit dans {output}")
            return
        stream = getattr(self.stdout, "_out", sys.stdout)
        if isinstance(content, str):
            stream.write(content)
            return
        binary = getattr(stream, "buffer", None)
        if binary is None:
            raise CommandError("Le PDF s'écrit dans un fichier (--output) ou sur une sortie binaire.")
        stream.flush()
        binary.write(content)
        binary.flush()

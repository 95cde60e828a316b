"""Importing a programmation file in the browser (docs/import-format.md §8): upload, preview, confirm.

1. The agent uploads a CSV or XLSX file.
2. The preview runs `programmation_import` as a dry run and shows what would change, or every
   error with its row and column. Nothing is written. A file without error is kept on the
   server (projects.imports.storage) under a random token.
3. The confirmation imports those same bytes for real, for the user who previewed them.

The import templates offered for download hold the format's headers (`projects.imports.format`)
and one example row.
"""

import csv
import hashlib
import io
from datetime import date

import openpyxl
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from openpyxl.styles import Font

from contratville.formatting import XLSX_AMOUNT_FORMAT
from contratville.permissions import permission_required
from projects.models import Funder, Nature, OperatorKind, Pillar, Status, Theme

from ..imports.format import COLUMNS, OPTIONAL_COLUMNS, column_help
from ..imports.service import programmation_import
from ..imports.storage import pending_import_store, pending_import_take

ALLOWED_EXTENSIONS = (".csv", ".xlsx")


def example_row() -> dict[str, str]:
    """One funding line that imports on a fresh database."""
    return {
        "annee": str(date.today().year),
        "numero_dossier": "EX-001",
        "intitule": "Action exemple : accompagnement à la scolarité",
        "porteur": "Association exemple",
        "siret": "",
        "type_porteur": OperatorKind.ASSOCIATION,
        "pilier": "cohesion_sociale",
        "thematique": "1.1",
        "quartiers": "QP062004",
        "statut": Status.DEPOSE,
        "financeur": "anct",
        "nature": "",
        "montant_demande": "1 500,00",
        "montant_accorde": "",
    }


def format_megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    if megabytes == int(megabytes):
        return f"{int(megabytes)} Mo"
    return f"{megabytes:.1f} Mo".replace(".", ",")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier de programmation",
        help_text="Un fichier CSV (UTF-8, séparateur « ; » ou « , ») ou un classeur XLSX (première feuille).",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
        error_messages={
            "required": "Choisissez un fichier à importer.",
            "empty": "Le fichier est vide.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                f"Le fichier dépasse la taille maximale de {format_megabytes(limit)}."
            )
        if not upload.name.lower().endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                "Format non pris en charge : déposez un fichier .csv ou .xlsx "
                "(depuis votre tableur, « Enregistrer sous » l'un de ces formats)."
            )
        return upload


def _format_context() -> dict:
    help_texts = column_help()
    return {
        "columns": [
            {"name": name, "required": name not in OPTIONAL_COLUMNS, "help": help_texts[name]}
            for name in COLUMNS
        ],
        "pillars": Pillar.objects.all(),
        "themes": Theme.objects.select_related("pillar"),
        "funders": Funder.objects.filter(is_active=True),
        "natures": Nature.choices,
        "max_size": format_megabytes(settings.IMPORT_MAX_UPLOAD_SIZE),
    }


def _render_upload(request, form, status=200):
    return render(request, "projects/project_import.html", {"form": form, **_format_context()}, status=status)


def _render_preview(request, result, *, filename, sha256, size, token=None, confirm_failed=False):
    return render(
        request,
        "projects/project_import_preview.html",
        {
            "result": result,
            "filename": filename,
            "sha256": sha256,
            "size": size,
            "token": token,
            "confirm_failed": confirm_failed,
        },
    )


@permission_required("projects.import_projects")
@require_http_methods(["GET", "POST"])
def project_import(request):
    if request.method == "GET":
        return _render_upload(request, ImportUploadForm())
    action = request.POST.get("action", "preview")
    if action == "confirm":
        return _confirm(request)
    if action == "cancel":
        pending_import_take(token=request.POST.get("token", ""), user=request.user)
        messages.info(request, "Import annulé : rien n'a été enregistré.")
        return redirect("projects:import")
    return _preview(request)


def _preview(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    result = programmation_import(content=content, filename=upload.name, dry_run=True, user=request.user)
    token = None
    if result.ok:
        token = pending_import_store(content=content, filename=upload.name, user=request.user).token
    return _render_preview(
        request,
        result,
        filename=upload.name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        token=token,
    )


def _confirm(request):
    token = request.POST.get("token", "")
    pending = pending_import_take(token=token, user=request.user)
    if pending is None:
        messages.error(
            request,
            "Ce fichier n'est plus disponible (aperçu expiré ou déjà importé) : "
            "déposez-le à nouveau pour en voir l'aperçu.",
        )
        return redirect("projects:import")
    result = programmation_import(
        content=pending.content, filename=pending.filename, dry_run=False, user=request.user
    )
    # Taken, the file is gone either way: imported, or refused and to be corrected.
    if not result.ok:
        return _render_preview(
            request,
            result,
            filename=pending.filename,
            sha256=pending.sha256,
            size=pending.size,
            confirm_failed=True,
        )
    messages.success(request, f"Import de « {pending.filename} » réussi : {result.summary()}")
    query = urlencode([("annee", year) for year in result.years])
    return redirect(f"{reverse('projects:list')}?{query}" if query else reverse("projects:list"))


def template_rows() -> tuple[list[str], list[str]]:
    """The templates' header (the format's columns) and example row."""
    row = example_row()
    return list(COLUMNS), [row[column] for column in COLUMNS]


def _csv_template() -> HttpResponse:
    headers, row = template_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerow(row)
    # With a BOM, Excel opens the accents right.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-import-programmation.csv"'
    return response


def _xlsx_template() -> HttpResponse:
    headers, row = template_rows()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Programmation"
    sheet.append(headers)
    values = dict(zip(headers, row, strict=True))
    # In a workbook the year and the amount are numbers, as a spreadsheet user types them.
    values["annee"] = int(values["annee"])
    values["montant_demande"] = 1500
    sheet.append([values[column] for column in headers])
    sheet.cell(row=2, column=headers.index("montant_demande") + 1).number_format = XLSX_AMOUNT_FORMAT
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    guide = book.create_sheet("Mode d'emploi")
    guide.append(["colonne", "obligatoire", "contenu"])
    help_texts = column_help()
    for column in COLUMNS:
        guide.append([column, "non" if column in OPTIONAL_COLUMNS else "oui", help_texts[column]])
    guide.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="modele-import-programmation.xlsx"'
    return response


@permission_required("projects.import_projects")
@require_http_methods(["GET"])
def import_template(request, fmt):
    if fmt == "csv":
        return _csv_template()
    if fmt == "xlsx":
        return _xlsx_template()
    raise Http404("Format de modèle inconnu.")

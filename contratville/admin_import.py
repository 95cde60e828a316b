"""The admin's spreadsheet imports and exports (django-import-export), for administrators only.

Every `ImportExportModelAdmin` of the project (porteurs, reference data, funders) inherits
`AdministratorImportExportMixin`, which:

- lets only administrators import or export (`roles.is_administrator`), even though the admin
  itself is already closed to everyone else (contratville/admin_site.py);
- accepts CSV and XLSX only, read by the programmation import's reader, `contratville.tabular`:
  size limit (IMPORT_MAX_UPLOAD_SIZE), content checked against the extension, XLSX parts checked
  before any XML parser sees them (zip bomb, lying sizes, DTD, macros), row, column and cell
  limits. django-import-export's own loaders (tablib, openpyxl on the whole archive) guard
  against none of that: an 800 KB workbook that inflated to 200 MB held a worker for 30 s;
- checks the upload's size before django-import-export copies it to its temporary storage, and
  gives the reader's French message when a file is refused, instead of the library's English
  "<exception> encountered while trying to read file"; the confirmation step reads the stored
  file through the same reader, after checking its hidden fields (format, resource), which the
  library would otherwise use unchecked as list indexes;
- writes exports with the project's formula guard (a cell starting with `=`, `+`, `-` or `@`
  gets a leading apostrophe, which the reader removes again on import), so that a porteur's
  name typed by anyone never runs as a formula in the administrator's spreadsheet.

`contratville.tabular` depends on no model, only on the standard library and openpyxl, which is why
the project package may use it here for the admins of every app.
"""

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from . import roles
from .tabular import TableError, check_size, formula_safe, read_table

ALTERED_CONFIRMATION = (
    "La confirmation de l'import est incomplète ou a été modifiée : rien n'a été importé ; "
    "déposez le fichier à nouveau."
)
READ_FAILED = (
    "Le fichier n'a pas pu être lu : vérifiez que le format choisi (CSV ou XLSX) est celui du "
    "fichier, ou enregistrez-le à nouveau depuis votre tableur."
)


def table_dataset(content: bytes | str, extension: str) -> tablib.Dataset:
    """The file read by the hardened reader, as the tablib Dataset django-import-export expects.

    Every cell is text, as the reader gives it (spaces trimmed, the export's formula guard
    removed); the resources' widgets parse numbers, dates and booleans. Raises TableError."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    table = read_table(content, filename=f"import.{extension}")
    width = len(table.headers)
    dataset = tablib.Dataset(headers=table.headers)
    for number, cells in table.rows:
        if len(cells) > width:
            raise TableError(
                f"Ligne {number} : {len(cells)} cellules pour {width} colonnes d'en-tête : chaque "
                "valeur doit être sous une en-tête."
            )
        dataset.append([*cells, *[""] * (width - len(cells))])
    return dataset


def guarded_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of `dataset` whose text cells cannot start a formula."""
    guarded = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        guarded.append([formula_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return guarded


class HardenedCSV(base_formats.CSV):
    """CSV read as bytes by `contratville.tabular` (which detects the encoding and the separator)."""

    def create_dataset(self, in_stream, **kwargs):
        return table_dataset(in_stream, "csv")

    def export_data(self, dataset, **kwargs):
        return super().export_data(guarded_dataset(dataset), **kwargs)

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"


class HardenedXLSX(base_formats.XLSX):
    """XLSX (first sheet) read by `contratville.tabular`."""

    def create_dataset(self, in_stream, **kwargs):
        return table_dataset(in_stream, "xlsx")

    def export_data(self, dataset, **kwargs):
        return super().export_data(guarded_dataset(dataset), **kwargs)


class SizeLimitedImportForm(ImportForm):
    """The import form, refusing a file above the size limit before anything stores it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except TableError as error:
            raise ValidationError(str(error), code="too_large") from error
        return upload


class AdministratorImportExportMixin:
    """Spreadsheet import and export of a model admin: administrators only, hardened reader."""

    import_formats = [HardenedCSV, HardenedXLSX]
    export_formats = [HardenedCSV, HardenedXLSX]
    import_form_class = SizeLimitedImportForm

    def has_import_permission(self, request):
        return roles.is_administrator(request.user)

    def has_export_permission(self, request):
        return roles.is_administrator(request.user)

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e) if isinstance(e, TableError) else READ_FAILED)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation step: its hidden fields are checked before django-import-export reads
        them as list indexes, and should the stored file no longer be readable (removed, or
        another file named in the form), the administrator is told, in French."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if not (
            _is_index(request.POST.get("format"), len(self.get_import_formats()))
            and _is_index(request.POST.get("resource") or "0", len(self.get_import_resource_classes(request)))
        ):
            return self._back_to_import(request, ALTERED_CONFIRMATION)
        try:
            return super().process_import(request, **kwargs)
        except (TableError, OSError) as error:
            return self._back_to_import(request, str(error) if isinstance(error, TableError) else READ_FAILED)

    def _back_to_import(self, request, message: str):
        messages.error(request, message)
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
        )


def _is_index(value: str | None, length: int) -> bool:
    return (
        value is not None and len(value) < 4 and value.isascii() and value.isdigit() and int(value) < length
    )


class AdministratorImportExportModelAdmin(AdministratorImportExportMixin, ImportExportModelAdmin):
    """`ImportExportModelAdmin` with the project's rules; the base of every such admin."""

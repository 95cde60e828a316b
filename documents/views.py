"""The pieces' pages: a dossier's pieces against its checklist with the upload form
(`/projets/<id>/documents/`), a piece's download and withdrawal, and the checklists that the
direction sets (`/pieces-requises/`).

Files are only ever sent by `document_download`, after the permission check, as attachments
(`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`): no URL serves the
storage's folder."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contratville.permissions import permission_required
from projects.models import OperatorKind, ProgrammeYear, Project

from .antivirus import antivirus_enabled
from .errors import DocumentRefused
from .filenames import UNREADABLE_NAME
from .forms import DocumentUploadForm
from .models import Checklist, Document
from .selectors import checklist_for_year, checklist_grid, project_pieces
from .services import ScannerDown, checklist_reset, checklist_save, document_upload, document_withdraw

VIEW = ("projects.view_project", "documents.view_document")


def _file_dropped(request: HttpRequest) -> bool:
    """A file was sent but not received: Django's multipart parser skips a file part whose name is
    empty once cleaned (only control characters, "..", "/"). The body is then much larger than
    the fields it carried."""
    if "fichier" in request.FILES or not request.content_type.startswith("multipart/"):
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    fields = sum(len(key) + len(value) for key, values in request.POST.lists() for value in values)
    return length > 1024 + 2 * fields


def _project(pk: int) -> Project:
    return get_object_or_404(Project.objects.select_related("operator", "year"), pk=pk)


@permission_required(*VIEW)
def project_documents(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(pk)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("documents.add_document"):
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES, project=project)
        if _file_dropped(request):
            # Django's parser drops a file whose name has nothing printable left: say why, rather
            # than "choose a file".
            form.is_valid()
            form.errors["fichier"] = form.error_class([UNREADABLE_NAME])
            status = 400
        elif form.is_valid():
            upload = form.cleaned_data["fichier"]
            try:
                document = document_upload(
                    project=project,
                    piece_type=form.cleaned_data["type_piece"],
                    name=upload.name,
                    content=b"".join(upload.chunks()),
                    user=request.user,
                    replaces=form.cleaned_data["remplace"],
                )
            except DocumentRefused as refusal:
                form.add_error("fichier", refusal.message)
                status = 503 if isinstance(refusal, ScannerDown) else 400
            else:
                checked = (
                    "analysée par l'antivirus"
                    if antivirus_enabled()
                    else "NON analysée (antivirus désactivé)"
                )
                messages.success(
                    request,
                    f"Pièce « {document.original_name} » ({document.get_piece_type_display()}) enregistrée, "
                    f"{checked}.",
                )
                return redirect("documents:project-documents", pk=project.pk)
        else:
            status = 400
    else:
        form = DocumentUploadForm(project=project)
    return render(
        request,
        "documents/project_documents.html",
        {
            "project": project,
            "pieces": project_pieces(project),
            "form": form,
            "antivirus_off": not antivirus_enabled(),
        },
        status=status,
    )


@permission_required(*VIEW)
def document_download(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=document, project_id=pk)
    if document.in_quarantine:
        return render(request, "documents/quarantine.html", {"document": document}, status=403)
    try:
        stored = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Fichier introuvable.") from exc
    response = FileResponse(
        stored, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required(*VIEW, "documents.delete_document")
def document_delete(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=document, project_id=pk)
    if document.is_current:
        document_withdraw(document=document, user=request.user)
        messages.success(
            request,
            f"Pièce « {document.original_name} » retirée du dossier ; elle reste dans l'historique des pièces.",
        )
    return redirect("documents:project-documents", pk=pk)


def _year_param(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError as exc:
        raise Http404("Année inconnue.") from exc
    if not 2000 <= year <= 2100:
        raise Http404("Année inconnue.")
    return year


@permission_required("documents.view_checklist", "documents.change_checklist")
def checklist_edit(request: HttpRequest) -> HttpResponse:
    year = _year_param(request.POST.get("annee") if request.method == "POST" else request.GET.get("annee"))
    address = reverse("documents:checklist") + (f"?annee={year}" if year else "")
    if request.method == "POST":
        if request.POST.get("action") == "defaut" and year:
            checklist_reset(year=year)
            messages.success(request, f"{year} suit désormais la liste par défaut.")
            return redirect(address)
        pieces = [tuple(value.split(":", 1)) for value in request.POST.getlist("pieces") if ":" in value]
        try:
            checklist_save(year=year, pieces=pieces, user=request.user)
        except DocumentRefused as refusal:
            messages.error(request, refusal.message)
        else:
            target = f"de {year}" if year else "par défaut"
            messages.success(request, f"Liste des pièces requises {target} enregistrée.")
        return redirect(address)
    own = Checklist.objects.filter(year=year).select_related("updated_by").first() if year else None
    shown = checklist_for_year(year)
    years = sorted(
        set(ProgrammeYear.objects.values_list("year", flat=True))
        | set(Checklist.objects.exclude(year=None).values_list("year", flat=True))
        | ({year} if year else set()),
        reverse=True,
    )
    return render(
        request,
        "documents/checklist.html",
        {
            "year": year,
            "years": years,
            "checklist": shown,
            "own": own,
            "follows_default": bool(year) and own is None,
            "grid": checklist_grid(shown),
            "kinds": OperatorKind.choices,
        },
    )

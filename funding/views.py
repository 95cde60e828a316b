"""The payments' pages and the compte-rendu's: a dossier's payments (`/projets/<id>/versements/`: each line's schedule,
a payment added, recorded as paid, cancelled) and the payments list (`/versements/`, with the
dossier list's filters, its own, totals, CSV/XLSX export)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contratville.converters import parse_id
from contratville.permissions import permission_required
from projects.filters import FilterReference, parse_filters
from projects.models import FundingLine, Project

from . import payment_selectors as selectors
from .compte_rendu_forms import CompteRenduForm, CompteRenduImportForm
from .compte_rendu_import import compte_rendu_import
from .compte_rendu_services import EDITABLE as CR_EDITABLE
from .compte_rendu_services import account_totals, compte_rendu_save, due_date
from .models import CompteRendu, Payment
from .payment_forms import PaymentAddForm, PaymentCancelForm, PaymentRecordForm, ScheduleForm
from .payment_services import (
    PAYABLE,
    Schedule,
    payment_add,
    payment_cancel,
    payment_record,
    schedule_create,
)
from .scdl import scdl_export

VIEW = ("projects.view_project", "funding.view_payment")
PAGE_SIZE = 50


def _apply_errors(form, error: ValidationError) -> None:
    """The service's errors next to their fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(*VIEW)
def project_payments(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("operator", "year"), pk=pk)
    forms_by_line: dict[int, dict] = {}
    status = 200
    if request.method == "POST":
        if not request.user.has_perms(("funding.add_payment", "funding.change_payment")):
            raise PermissionDenied
        outcome = _post(request, project, forms_by_line)
        if outcome is None:
            return redirect("funding:project-payments", pk=project.pk)
        status = outcome
    lines = selectors.project_payments(project)
    editable = project.status in PAYABLE and request.user.has_perm("funding.add_payment")
    for item in lines:
        forms = forms_by_line.setdefault(item.line.pk, {})
        forms.setdefault("schedule", ScheduleForm(prefix=f"echeancier-{item.line.pk}"))
        forms.setdefault(
            "add",
            PaymentAddForm(prefix=f"ajout-{item.line.pk}", initial={"planned_amount": item.to_plan or None}),
        )
        item.forms = forms
    return render(
        request,
        "funding/project_payments.html",
        {
            "project": project,
            "lines": lines,
            "editable": editable,
            "record_error": forms_by_line.get("record"),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _post(request, project: Project, forms_by_line: dict) -> int | None:
    """Runs the posted action; None when done (the page is shown again), else the status of the
    page that shows the errors."""
    action = request.POST.get("action", "")
    if action in ("echeancier", "ajout"):
        line = get_object_or_404(FundingLine.objects.select_related("funder"), pk=parse_id(request.POST.get("ligne", "")),
                                 project=project)  # fmt: skip
        if action == "echeancier":
            form = ScheduleForm(request.POST, prefix=f"echeancier-{line.pk}")
            forms_by_line.setdefault(line.pk, {})["schedule"] = form
            if form.is_valid():
                data = form.cleaned_data
                try:
                    payments = schedule_create(
                        line=line,
                        user=request.user,
                        schedule=Schedule(
                            advance_on=data["advance_on"],
                            balance_on=data["balance_on"],
                            advance_percent=data["advance_percent"],
                        ),
                    )
                except ValidationError as error:
                    _apply_errors(form, error)
                else:
                    messages.success(
                        request,
                        f"Échéancier de « {line.funder.label} » : {len(payments)} versement(s) prévu(s).",
                    )
                    return None
            return 400
        form = PaymentAddForm(request.POST, prefix=f"ajout-{line.pk}")
        forms_by_line.setdefault(line.pk, {})["add"] = form
        if form.is_valid():
            try:
                payment_add(line=line, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"Versement prévu ajouté à « {line.funder.label} ».")
                return None
        return 400
    if action in ("verser", "annuler"):
        payment = get_object_or_404(
            Payment.objects.select_related("funding_line__funder"),
            pk=parse_id(request.POST.get("versement", "")),
            funding_line__project=project,
        )
        form = (PaymentRecordForm if action == "verser" else PaymentCancelForm)(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "verser":
                    payment_record(payment=payment, user=request.user, paid_on=data["paid_on"],
                                   paid_amount=data["paid_amount"], version=data["version"])  # fmt: skip
                    messages.success(request, "Versement enregistré comme effectué.")
                else:
                    payment_cancel(payment=payment, user=request.user, version=data["version"],
                                   comment=data["comment"])  # fmt: skip
                    messages.success(request, "Versement annulé.")
                return None
            except ValidationError as error:
                _apply_errors(form, error)
        forms_by_line["record"] = (payment.pk, form)
        return 409 if any(e.code == "stale" for e in _codes(form)) else 400
    return 400


def _codes(form):
    return [error for errors in form.errors.as_data().values() for error in errors]


@require_http_methods(["GET", "HEAD"])
@permission_required(*VIEW)
def payment_list(request: HttpRequest) -> HttpResponse:
    reference = FilterReference()
    parsed = parse_filters(request.GET, reference)
    payments = selectors.payments_in_scope(parsed.scope) if parsed.is_valid else Payment.objects.none()
    filterset = selectors.PaymentFilter(request.GET, queryset=payments)
    valid = parsed.is_valid and filterset.is_valid()
    payments = filterset.qs if valid else Payment.objects.none()
    export = request.GET.get("format", "")
    if export:
        if not valid:
            errors = parsed.messages + [str(e) for errors in filterset.errors.values() for e in errors]
            return HttpResponseBadRequest(
                "Les filtres ne sont pas valides : aucune donnée n'a été exportée.\n" + "\n".join(errors),
                content_type="text/plain; charset=utf-8",
            )
        return _export(payments, export)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "funding/payment_list.html",
        {
            "filter": filterset,
            "filter_errors": parsed.messages,
            "scope_labels": parsed.labels() if parsed.is_valid else [],
            "page": page,
            "totals": selectors.payment_totals(payments),
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


def _export(payments, export_format: str) -> HttpResponse:
    day = timezone.localdate().isoformat()
    if export_format == "csv":
        response = HttpResponse(selectors.write_csv(payments), content_type="text/csv; charset=utf-8")
        extension = "csv"
    elif export_format == "xlsx":
        response = HttpResponse(
            selectors.write_xlsx(payments),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        extension = "xlsx"
    else:
        return HttpResponseBadRequest(
            "Format d'export inconnu : csv ou xlsx.", content_type="text/plain; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="versements-{day}.{extension}"'
    return response


# The compte-rendu financier ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("projects.view_project", "funding.view_compterendu")
def project_compte_rendu(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("operator", "year"), pk=pk)
    compte_rendu = CompteRendu.objects.filter(project=project).prefetch_related("lines").first()
    indicators = list(project.indicators.order_by("pk"))
    editable = project.status in CR_EDITABLE and request.user.has_perms(
        ("funding.add_compterendu", "funding.change_compterendu")
    )
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = CompteRenduForm(request.POST, instance=compte_rendu or CompteRendu(project=project),
                               indicators=indicators)  # fmt: skip
        if form.is_valid():
            try:
                compte_rendu_save(
                    project=project,
                    user=request.user,
                    header=form.header(),
                    accounts=form.accounts(),
                    achieved=form.achieved(),
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
                status = 409 if getattr(error, "code", "") == "stale" else 400
            else:
                messages.success(request, "Compte-rendu financier enregistré.")
                return redirect("funding:project-compte-rendu", pk=project.pk)
        else:
            status = 400
    else:
        form = CompteRenduForm(instance=compte_rendu or CompteRendu(project=project), indicators=indicators)
    lines = list(compte_rendu.lines.all()) if compte_rendu else []
    return render(
        request,
        "funding/project_compte_rendu.html",
        {
            "project": project,
            "form": form,
            "compte_rendu": compte_rendu,
            "editable": editable,
            "totals": account_totals(lines),
            "due_on": due_date(project),
            "complete": bool(compte_rendu and compte_rendu.is_complete),
        },
        status=status,
    )


# The subsidies' open data ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@permission_required("funding.export_scdl")
def scdl_csv(request: HttpRequest, year: int) -> HttpResponse:
    """The year's SCDL « subventions » file; when dossiers lack what it needs, the French list of
    them instead (nothing is published half-right)."""
    if not 2000 <= year <= 2100:
        return HttpResponseBadRequest(
            f"Année hors limites : {year}.", content_type="text/plain; charset=utf-8"
        )
    export = scdl_export(year)
    if export.problems:
        return HttpResponse(
            "Le fichier des subventions n'est pas produit : corrigez d'abord ces dossiers.\n"
            + "\n".join(export.problems),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(export.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subventions-{year}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("funding.add_compterendu", "funding.change_compterendu")
def compte_rendu_import_view(request: HttpRequest) -> HttpResponse:
    """Comptes-rendus from a spreadsheet: the file is checked whole, then saved all or nothing."""
    form = CompteRenduImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["fichier"]
            result = compte_rendu_import(
                content=b"".join(upload.chunks()), filename=upload.name, user=request.user
            )
            if result.ok:
                messages.success(request, result.summary())
                return redirect("funding:compte-rendu-import")
            status = 400
        else:
            status = 400
    return render(
        request, "funding/compte_rendu_import.html", {"form": form, "result": result}, status=status
    )

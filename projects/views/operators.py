"""The porteurs: their list with filters, one porteur's page with its dossiers over the years,
and a small JSON search for autocompletion.

Every page runs a fixed number of queries, whatever the number of porteurs or dossiers: counts
and sums are annotations. The sums read the funding lines through their reverse relation's
name (`funding_lines__…`), so that `projects` needs no import of `funding`."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from contratville.collation import french
from contratville.permissions import permission_required

from ..models import MONEY, Operator, Project, Status
from ..operator_filters import OperatorFilter, search_operators
from ..operator_forms import OperatorForm
from ..services import StaleOperatorError, operator_update

PAGE_SIZE = 50
SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 200
ZERO = Decimal("0.00")


def _money_sum(path: str, **kwargs):
    return Coalesce(Sum(path, **kwargs), Value(ZERO), output_field=DecimalField(**MONEY))


def operators_with_counts():
    """Every operator with its number of dossiers, and of programmed dossiers."""
    return Operator.objects.annotate(
        project_count=Count("projects"),
        programmed_count=Count("projects", filter=Q(projects__status__in=Status.programmed())),
    )


def operator_projects(operator: Operator):
    """The operator's dossiers, newest year first, each with its requested and granted totals."""
    return (
        Project.objects.filter(operator=operator)
        .select_related("pillar")
        .annotate(
            requested=_money_sum("funding_lines__amount_requested"),
            granted=_money_sum("funding_lines__amount_granted"),
        )
        .order_by("-year", "reference", "pk")
    )


def _totals():
    return {
        "dossiers": Count("id", distinct=True),
        "programmed": Count("id", distinct=True, filter=Q(status__in=Status.programmed())),
        "requested": _money_sum("funding_lines__amount_requested"),
        "granted": _money_sum("funding_lines__amount_granted"),
    }


def operator_totals_by_year(operator: Operator) -> list[dict]:
    """Per year: number of dossiers, of programmed ones, requested and granted amounts."""
    queryset = Project.objects.filter(operator=operator).order_by()
    return list(queryset.values("year").annotate(**_totals()).order_by("-year"))


def operator_totals(operator: Operator) -> dict:
    queryset = Project.objects.filter(operator=operator).order_by()
    return queryset.aggregate(**_totals())


@permission_required("projects.view_operator")
@require_GET
def operator_list(request):
    filterset = OperatorFilter(request.GET, queryset=operators_with_counts())
    operators = filterset.qs if filterset.is_valid() else operators_with_counts().none()
    page = Paginator(operators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/operator_list.html",
        {"filter": filterset, "page": page, "operators": page.object_list},
    )


@permission_required("projects.view_operator")
@require_GET
def operator_detail(request, pk: int):
    operator = get_object_or_404(Operator.objects.select_related("commune"), pk=pk)
    projects_by_year: dict[int, list[Project]] = {}
    for project in operator_projects(operator):
        projects_by_year.setdefault(project.year_id, []).append(project)
    years = [
        {**totals, "projects": projects_by_year.get(totals["year"], [])}
        for totals in operator_totals_by_year(operator)
    ]
    return render(
        request,
        "projects/operator_detail.html",
        {"operator": operator, "years": years, "totals": operator_totals(operator)},
    )


@permission_required("projects.view_operator", "projects.change_operator")
@require_http_methods(["GET", "POST"])
def operator_update_view(request, pk: int):
    """Edit a porteur's identity and contact; a form opened before someone else's save is
    refused, with the current values shown, rather than written over them."""
    operator = get_object_or_404(Operator, pk=pk)
    conflict = None
    if request.method == "POST":
        form = OperatorForm(request.POST, instance=Operator.objects.get(pk=pk))
        if form.is_valid():
            try:
                operator_update(
                    operator_id=pk,
                    values=form.values(),
                    seen_updated_at=form.cleaned_data["seen_updated_at"],
                    user=request.user,
                )
            except StaleOperatorError as error:
                conflict = str(error)
                operator.refresh_from_db()
            else:
                messages.success(request, f"Le porteur « {form.cleaned_data['name']} » a été enregistré.")
                return redirect(operator)
    else:
        form = OperatorForm(instance=operator)
    return render(
        request,
        "projects/operator_form.html",
        {"operator": operator, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@permission_required("projects.view_operator")
@require_GET
def operator_search(request):
    """`{"results": [{"id", "name", "kind", "kind_label", "siret"}, …]}`: at most 20 operators
    whose name or SIRET contains `q`, for autocompletion."""
    text = request.GET.get("q", "").strip()
    if not text:
        return JsonResponse({"results": []})
    if "\x00" in text or len(text) > SEARCH_MAX_LENGTH:
        # PostgreSQL refuses a NUL character in a query.
        return JsonResponse({"results": [], "erreur": "Recherche invalide."}, status=400)
    operators = search_operators(Operator.objects.all(), text).order_by(french("name"), "pk")[:SEARCH_LIMIT]
    return JsonResponse(
        {
            "results": [
                {
                    "id": operator.pk,
                    "name": operator.name,
                    "kind": operator.kind,
                    "kind_label": operator.get_kind_display(),
                    "siret": operator.siret,
                }
                for operator in operators
            ]
        }
    )

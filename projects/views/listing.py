"""The dossiers' list (`/projets/`) and its export (`/projets/export/`), both filtered by the
query parameters of docs/contracts.md §5, so that a filtered list is a bookmark and its export
button carries the same filters."""

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from contratville.permissions import permission_required
from contratville.versioning import Versions, cache_key, remembered

from ..exports import FORMATS, export_projects, file_name
from ..filters import PARAMETERS, ProjectFilter
from ..selectors import SORTS, FundingTotals, dossiers_for_export, funding_totals, parse_sort, project_rows

PAGE_SIZES = (25, 50, 100, 200)
BULK_PERMISSIONS = ("projects.change_project", "projects.export_projects", "comites.add_agendaitem")
DEFAULT_PAGE_SIZE = 50


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("par_page", ""))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _columns(sort: str, descending: bool) -> list[dict]:
    """Each sortable header: its link's `tri` value and, for the current one, `aria-sort`."""
    columns = []
    for column in SORTS:
        current = column.key == sort
        if current:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            # Amounts are first sorted from the largest.
            next_sort = f"-{column.key}" if column.numeric else column.key
        columns.append(
            {
                "key": column.key,
                "label": column.label,
                "numeric": column.numeric,
                "next": next_sort,
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "next_is_descending": next_sort.startswith("-"),
            }
        )
    return columns


@permission_required("projects.view_project")
def project_list(request):
    # The data's versions first, before any figure is read (contratville.versioning).
    versions = Versions.read()
    filterset = ProjectFilter(request.GET)
    valid = filterset.is_valid()
    filterset.prepare_display()
    scope, names = filterset.scope, filterset.parsed.names
    # Invalid filters show nothing rather than a larger set that looks filtered.
    projects = filterset.qs
    sort, descending = parse_sort(request.GET.get("tri"))
    page_size = _page_size(request)
    paginator = Paginator(project_rows(projects, sort, descending), page_size)
    totals, line_totals = FundingTotals(), None
    if valid:
        # The count and the totals of the whole filtered set (the costly part at national
        # scale) are kept under the data's versions: never stale; the page's rows are read live.
        # With a financeur or nature filter, the share of those lines too (as the dashboard sums).
        def figures():
            line = funding_totals(scope, lines_in_scope=True) if scope.restricts_lines else None
            return projects.count(), funding_totals(scope), line

        key = cache_key("dossier-list", scope.query_string(), versions.all())
        paginator.count, totals, line_totals = remembered(key, figures)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "filters_valid": valid,
            "filter_errors": filterset.parsed.messages,
            "page": page,
            "paginator": paginator,
            "totals": totals,
            "line_totals": line_totals,
            "line_filter_labels": ", ".join(
                [names["financeur"][code] for code in scope.financeur]
                + [names["nature"][code] for code in scope.nature]
            ),
            "columns": _columns(sort, descending),
            "sort": f"-{sort}" if sort and descending else sort,
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
            "export_formats": FORMATS.values(),
            # The bulk actions (`projects.views.bulk`, and the agenda's in comites): the rows'
            # checkboxes and the action bar, for whoever may take one of them.
            "bulk_actions": valid and any(request.user.has_perm(perm) for perm in BULK_PERMISSIONS),
            "filter_query": scope.query_string(),
            "is_filtered": any(value.strip() for name in PARAMETERS for value in request.GET.getlist(name)),
        },
    )


@permission_required("projects.export_projects")
def project_export(request):
    format_key = request.GET.get("format", "xlsx")
    export_format = FORMATS.get(format_key)
    if export_format is None:
        return HttpResponseBadRequest(
            f"Format d'export inconnu « {format_key[:40]} » : les formats possibles sont "
            f"{', '.join(FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    filterset = ProjectFilter(request.GET)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "Les filtres ne sont pas valides, rien n'a été exporté.\n" + "\n".join(filterset.parsed.messages),
            content_type="text/plain; charset=utf-8",
        )
    sort, descending = parse_sort(request.GET.get("tri"))
    content = export_projects(dossiers_for_export(filterset.qs, sort, descending), format_key)
    response = HttpResponse(content, content_type=export_format.content_type)
    name = file_name(export_format, filterset.year_label, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

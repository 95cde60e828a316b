"""Views of the reports app: each role's home and the bilan's machine-readable form."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from contratville.permissions import permission_required
from contratville.versioning import Versions

from .selectors import bilan_as_json
from .views_bilan import check_year
from .views_dashboard import dashboard_view


@login_required
def home(request):
    """The direction and the comité start from the dashboard, agents from the dossiers."""
    user = request.user
    agent = user.has_perm("projects.view_project") and not user.has_perm("projects.decide_project")
    if user.has_perm("projects.view_bilan") and not agent:
        return dashboard_view(request)
    if user.has_perm("projects.view_project"):
        return redirect("projects:list")
    return render(request, "reports/home.html")


@permission_required("projects.view_bilan")
def bilan_json(request, year: int):
    check_year(year)
    # The year's figures from the dashboard's cache, never stale (contratville.versioning).
    figures = bilan_as_json(year, versions=Versions.read())
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False, "indent": 2})

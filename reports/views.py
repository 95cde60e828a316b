"""Views of the reports app: each role's home and the bilan's machine-readable form."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render

from contratville.permissions import permission_required

from .selectors import bilan_as_json


@login_required
def home(request):
    """Agents (and, until the dashboard exists, the direction) start from the dossiers."""
    if request.user.has_perm("projects.view_project"):
        return redirect("dossiers:list")
    return render(request, "reports/home.html")


@permission_required("projects.view_bilan")
def bilan_json(request, year: int):
    return JsonResponse(bilan_as_json(year), json_dumps_params={"ensure_ascii": False, "indent": 2})

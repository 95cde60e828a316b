"""Views of the reports app: the home page and the bilan's machine-readable form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import render

from .selectors import bilan_as_json


@login_required
def home(request):
    return render(request, "reports/home.html")


@login_required
@permission_required("projects.view_bilan", raise_exception=True)
def bilan_json(request, year: int):
    return JsonResponse(bilan_as_json(year), json_dumps_params={"ensure_ascii": False, "indent": 2})

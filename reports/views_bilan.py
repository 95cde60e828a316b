"""The annual bilan: the page, the PDF, and the form where the direction writes its texts."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from contratville.permissions import permission_required
from projects.models import ProgrammeYear, Project

from . import bilan
from .forms import TEXT_FIELDS, AddFocusForm, BilanTextsForm, FocusActionFormSet
from .selectors import FocusAction
from .services import bilan_texts_update

YEARS = range(2000, 2101)  # ProgrammeYear's own bounds


def check_year(year: int) -> None:
    if year not in YEARS:
        raise Http404("Année hors des limites du programme.")


@permission_required("projects.view_bilan")
def bilan_page(request, year: int):
    check_year(year)
    context = bilan.bilan_context(year)
    context["can_edit_texts"] = request.user.has_perm("projects.change_bilan_texts")
    return render(request, "reports/bilan.html", context)


@permission_required("projects.view_bilan")
def bilan_pdf(request, year: int):
    check_year(year)
    response = HttpResponse(bilan.render_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{bilan.pdf_filename(year)}"'
    return response


def _focus_queryset(year: int):
    return (
        Project.objects.for_year(year)
        .filter(is_focus=True)
        .select_related("operator")
        .order_by(F("focus_order").asc(nulls_last=True), "reference")
    )


def _preview_focus(formset, add_form) -> list[FocusAction]:
    """The focus actions as the form describes them, before anything is saved."""
    kept = [f.instance for f in formset.forms if not f.cleaned_data.get("remove")]
    added = add_form.cleaned_data.get("project")
    if added is not None:
        added.focus_order = max((p.focus_order or 0 for p in kept), default=0) + 1
        kept.append(added)
    kept.sort(key=lambda p: (p.focus_order is None, p.focus_order or 0, p.reference))
    return [FocusAction.from_project(p, rank) for rank, p in enumerate(kept, start=1)]


@permission_required("projects.view_bilan", "projects.change_bilan_texts")
def bilan_texts(request, year: int):
    """The direction writes the year's texts, previews the bilan with them, then saves."""
    check_year(year)
    programme_year = ProgrammeYear.objects.filter(year=year).first() or ProgrammeYear(year=year)
    preview_html = ""
    if request.method == "POST":
        form = BilanTextsForm(request.POST, instance=programme_year, prefix="textes")
        formset = FocusActionFormSet(request.POST, queryset=_focus_queryset(year), prefix="focus")
        add_form = AddFocusForm(request.POST, year=year, prefix="ajout")
        if form.is_valid() and formset.is_valid() and add_form.is_valid():
            if request.POST.get("action") == "enregistrer":
                bilan_texts_update(
                    year=year,
                    texts={name: form.cleaned_data[name] for name in TEXT_FIELDS},
                    focus=[(f.instance, bool(f.cleaned_data.get("remove"))) for f in formset.forms],
                    add_focus=add_form.cleaned_data.get("project"),
                    user=request.user,
                )
                messages.success(request, f"Les textes du bilan {year} sont enregistrés.")
                return redirect("reports:bilan", year=year)
            # Valid forms have put the edited texts on their (unsaved) instances.
            texts = bilan.BilanTexts(programme_year=form.instance, focus=_preview_focus(formset, add_form))
            preview_html = render_to_string(
                "reports/_bilan_document.html", bilan.bilan_context(year, texts=texts), request=request
            )
    else:
        form = BilanTextsForm(instance=programme_year, prefix="textes")
        formset = FocusActionFormSet(queryset=_focus_queryset(year), prefix="focus")
        add_form = AddFocusForm(year=year, prefix="ajout")
    return render(
        request,
        "reports/bilan_texts_form.html",
        {
            "year": str(year),
            "form": form,
            "formset": formset,
            "add_form": add_form,
            "preview_html": preview_html,
        },
    )

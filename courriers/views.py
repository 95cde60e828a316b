"""The letters' pages: the templates the direction edits (/courriers/modeles/, with a live
preview on a real dossier), a dossier's letters (/projets/<id>/courriers/), a séance's batch of
letters (/courriers/seances/<id>/, /courriers/lots/<id>/) with its ZIP, its single PDF and its
sending. Views parse input and call the services and selectors; each checks its permission.

The preview works without JavaScript (the "Aperçu" button renders the page again with the text
being edited, unsaved); static/js/courriers-preview.js refreshes it as the text is typed, from
`template_preview`, which answers the letter as an HTML fragment rendered by the server."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from comites.models import Seance
from contratville.permissions import permission_required
from projects.models import Project

from . import documents, merge, selectors, services
from .forms import BatchForm, LetterGenerateForm, PreviewForm, TemplateCreateForm, VersionForm
from .models import Letter, LetterBatch, LetterTemplate, LetterTemplateVersion, SendingStatus

EDIT_TEMPLATES = "courriers.change_lettertemplate"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _template(kind: str) -> LetterTemplate:
    return get_object_or_404(LetterTemplate, kind=kind)


def _pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# Templates ---------------------------------------------------------------------------------


@permission_required(EDIT_TEMPLATES)
@require_GET
def template_list(request):
    return render(
        request,
        "courriers/template_list.html",
        {"templates": selectors.templates_with_current_version()},
    )


def _preview(template: LetterTemplate, version: LetterTemplateVersion, project: Project | None, texts: dict):
    """The preview's HTML of `texts` (subject, body, signatory) on `project`, or its errors."""
    if project is None:
        return {"preview_missing": True}
    errors = services.check_version_texts(subject=texts["subject"], body=texts["body"])
    if errors:
        return {"preview_errors": [message for messages_ in errors.values() for message in messages_]}
    draft = LetterTemplateVersion(
        template=template,
        number=version.number + 1 if version else 1,
        subject=texts["subject"],
        body=texts["body"],
        signatory_name=texts.get("signatory_name", ""),
        signatory_title=texts.get("signatory_title", ""),
    )
    project = selectors.letter_projects().get(pk=project.pk)
    (data,) = selectors.letter_data([project])
    return {
        "preview_html": documents.letter_fragment(documents.render_letter(data, draft)),
        "preview_letter": draft,
    }


def _texts(data) -> dict:
    return {name: data.get(name, "") for name in ("subject", "body", "signatory_name", "signatory_title")}


@permission_required(EDIT_TEMPLATES)
def template_edit(request, kind: str):
    template = _template(kind)
    version = template.current_version()
    initial = _texts(version.__dict__) if version else {}
    action = request.POST.get("action", "")
    form = VersionForm(request.POST or None, initial=initial)
    preview_form = PreviewForm(request.POST or request.GET or None, template=template)
    project = None
    if preview_form.is_valid():
        project = preview_form.cleaned_data["dossier"]
    if project is None:
        project = preview_form.fields["dossier"].queryset.order_by("-year_id", "reference").first()
        preview_form = PreviewForm(initial={"dossier": project}, template=template)

    if request.method == "POST" and form.is_valid() and action == "enregistrer":
        try:
            saved = services.template_version_create(
                template=template, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"Modèle « {template.name} » enregistré : version {saved.number}, en vigueur pour les prochains "
                "courriers. Les courriers déjà générés restent tels qu'ils ont été faits.",
            )
            return redirect(template.get_absolute_url())
    texts = _texts(request.POST) if request.method == "POST" else initial
    preview = _preview(template, version, project, texts) if texts.get("body") is not None else {}
    if request.method == "POST" and action == "apercu-pdf" and "preview_letter" in preview:
        project = selectors.letter_projects().get(pk=project.pk)
        (data,) = selectors.letter_data([project])
        pdf = documents.letter_pdf(documents.render_letter(data, preview["preview_letter"]))
        return _pdf_response(pdf, f"apercu-{template.kind}.pdf", inline=True)
    return render(
        request,
        "courriers/template_edit.html",
        {
            "template": template,
            "version": version,
            "versions": template.versions.select_related("created_by").order_by("-number"),
            "form": form,
            "preview_form": preview_form,
            "merge_fields": merge.MERGE_FIELDS,
            **preview,
        },
    )


@require_POST
@permission_required(EDIT_TEMPLATES)
def template_preview(request, kind: str):
    """The letter being edited, on the chosen dossier, as an HTML fragment (the live preview)."""
    template = _template(kind)
    preview_form = PreviewForm(request.POST, template=template)
    project = preview_form.cleaned_data["dossier"] if preview_form.is_valid() else None
    preview = _preview(template, template.current_version(), project, _texts(request.POST))
    return render(request, "courriers/_preview.html", preview)


@permission_required(EDIT_TEMPLATES)
@require_GET
def template_version(request, kind: str, number: int):
    template = _template(kind)
    version = get_object_or_404(template.versions.select_related("created_by"), number=number)
    return render(
        request,
        "courriers/template_version.html",
        {"template": template, "version": version, "letters": version.letters.count()},
    )


@permission_required("courriers.add_lettertemplate", EDIT_TEMPLATES)
def template_create(request):
    base = LetterTemplate.objects.filter(kind=LetterTemplate.NOTIFICATION).first()
    base_version = base.current_version() if base else None
    form = TemplateCreateForm(
        request.POST or None, initial=_texts(base_version.__dict__) if base_version else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"Modèle « {template.name} » créé.")
            return redirect(template.get_absolute_url())
    return render(
        request, "courriers/template_create.html", {"form": form, "merge_fields": merge.MERGE_FIELDS}
    )


# A dossier's letters ----------------------------------------------------------------------


@permission_required("projects.view_project", "courriers.view_letter")
def project_letters(request, pk: int):
    project = get_object_or_404(Project.objects.select_related("operator", "year"), pk=pk)
    templates = selectors.templates_for(project)
    form = LetterGenerateForm(request.POST or None, templates=templates)
    if request.method == "POST":
        if not request.user.has_perm("courriers.add_letter"):
            raise PermissionDenied
        if form.is_valid():
            try:
                letter = services.letter_generate(
                    project=project, template=form.cleaned_data["template"], user=request.user
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request,
                    f"{letter.template_version.template.name} générée (modèle version {letter.template_version.number}).",
                )
            return redirect("courriers:project-letters", pk=project.pk)
    return render(
        request,
        "courriers/project_letters.html",
        {
            "project": project,
            "letters": selectors.project_letters(project),
            "form": form if templates else None,
            "recipient_missing": not project.operator.email,
        },
    )


@permission_required("projects.view_project", "courriers.view_letter")
@require_GET
def letter_pdf(request, letter: int):
    item = get_object_or_404(
        Letter.objects.select_related("project", "template_version__template"), pk=letter
    )
    return _pdf_response(bytes(item.pdf), item.filename)


def _next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
@permission_required("courriers.send_letter")
def letter_send(request, letter: int):
    """Send a letter by e-mail, or send it again ("Renvoyer")."""
    item = get_object_or_404(Letter.objects.select_related("project"), pk=letter)
    try:
        sending = services.letter_send(letter=item, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if sending.status == SendingStatus.SENT:
            messages.success(request, f"Courrier envoyé à {sending.recipient}.")
        else:
            messages.error(
                request,
                f"L'envoi à {sending.recipient} a échoué après {sending.attempts} tentative"
                f"{'s' if sending.attempts > 1 else ''} : {sending.error}. Vous pouvez le renvoyer.",
            )
    return redirect(_next(request, reverse("courriers:project-letters", args=[item.project_id])))


# A séance's letters ------------------------------------------------------------------------


@permission_required("courriers.view_letterbatch")
def seance_letters(request, seance: int):
    seance = get_object_or_404(Seance.objects.select_related("year"), pk=seance)
    form = BatchForm(request.POST or None)
    if request.method == "POST":
        if not (
            request.user.has_perm("courriers.add_letterbatch")
            and request.user.has_perm("courriers.add_letter")
        ):
            raise PermissionDenied
        if form.is_valid():
            try:
                batch = services.batch_generate(seance=seance, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                count = batch.letters.count()
                messages.success(
                    request, f"{count} courrier{'s' if count > 1 else ''} généré{'s' if count > 1 else ''}."
                )
                return redirect(batch.get_absolute_url())
    dossiers = selectors.seance_dossiers(seance)
    return render(
        request,
        "courriers/seance_letters.html",
        {
            "seance": seance,
            "dossiers": dossiers,
            "form": form,
            "batches": seance.letter_batches.select_related(
                "created_by", "programmed_template", "refused_template"
            ),
            "missing_email": [d for d in dossiers if d.letter_applicability and not d.project.operator.email],
        },
    )


def _batch(pk: int) -> LetterBatch:
    return get_object_or_404(LetterBatch.objects.select_related("seance", "created_by"), pk=pk)


@permission_required("courriers.view_letterbatch")
@require_GET
def batch_detail(request, batch: int):
    batch = _batch(batch)
    letters = selectors.batch_letters(batch)
    rows = []
    for letter in letters:
        last = next(iter(letter.sendings.all()), None)
        rows.append(
            {
                "letter": letter,
                "last": last,
                "sent": any(s.status == SendingStatus.SENT for s in letter.sendings.all()),
            }
        )
    return render(
        request,
        "courriers/batch_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "to_send": sum(1 for row in rows if not row["sent"]),
            "failed": sum(1 for row in rows if row["last"] and row["last"].status == SendingStatus.FAILED),
        },
    )


@permission_required("courriers.view_letterbatch")
@require_GET
def batch_zip(request, batch: int):
    batch = _batch(batch)
    response = HttpResponse(services.batch_zip(batch), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="courriers-{batch.seance.date:%Y-%m-%d}-lot-{batch.pk}.zip"'
    )
    return response


@permission_required("courriers.view_letterbatch")
@require_GET
def batch_pdf(request, batch: int):
    batch = _batch(batch)
    return _pdf_response(
        services.batch_combined_pdf(batch), f"courriers-{batch.seance.date:%Y-%m-%d}-lot-{batch.pk}.pdf"
    )


@permission_required("courriers.view_letterbatch", "courriers.send_letter")
def batch_send(request, batch: int):
    """First the list: the letters that will go, to whom, and the dossiers without a contact
    e-mail, which get nothing. Nothing is sent until the user confirms; then only the letters
    listed are sent."""
    batch = _batch(batch)
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("courrier") if value.isdigit()]
        if not ids:
            messages.error(request, "Aucun courrier à envoyer n'a été confirmé.")
            return redirect("courriers:batch-send", batch=batch.pk)
        result = services.batch_send(batch=batch, letter_ids=ids, user=request.user)
        if result.sent:
            messages.success(
                request,
                f"{len(result.sent)} courrier{'s' if len(result.sent) > 1 else ''} envoyé{'s' if len(result.sent) > 1 else ''}.",
            )
        if result.failed:
            messages.error(
                request,
                f"{len(result.failed)} envoi{'s' if len(result.failed) > 1 else ''} en échec après plusieurs tentatives : "
                "voyez l'erreur de chacun ci-dessous et renvoyez-les.",
            )
        if result.skipped:
            messages.warning(
                request,
                "Non envoyés : " + " ".join(error for _letter, error in result.skipped),
            )
        return redirect(batch.get_absolute_url())
    return render(
        request, "courriers/batch_send.html", {"batch": batch, "recipients": services.batch_recipients(batch)}
    )

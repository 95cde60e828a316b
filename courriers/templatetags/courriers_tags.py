"""`{% dossier_letters project %}`: the dossier page's block of its letters and their last
sending (templates/projects/project_detail.html). A template tag, so that the dossier's page,
served by `projects`, shows the letters without `projects` importing `courriers`."""

from django import template
from django.db.models import Prefetch

from ..models import Letter, LetterSending

register = template.Library()
SHOWN = 5


@register.inclusion_tag("courriers/_dossier_block.html")
def dossier_letters(project):
    letters = list(
        Letter.objects.filter(project=project)
        .select_related("template_version__template")
        .prefetch_related(Prefetch("sendings", queryset=LetterSending.objects.order_by("-created_at", "-id")))
        .defer("pdf")
        .order_by("-created_at", "-id")[: SHOWN + 1]
    )
    return {"project": project, "letters": letters[:SHOWN], "more": len(letters) > SHOWN}

"""What every page's layout needs: the programme year shown in the header."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from projects.models import ProgrammeYear


def programme_year(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}

    def latest_year():
        # Evaluated only if a template asks for it; a string, so that the French number format
        # never prints "2 021".
        year = (
            ProgrammeYear.objects.filter(projects__isnull=False)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        return str(year or timezone.localdate().year)

    return {"current_programme_year": SimpleLazyObject(latest_year)}

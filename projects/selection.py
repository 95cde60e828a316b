"""The dossiers a bulk action of the dossier list acts on: the rows ticked on the list, or every
dossier of its filter ("tous les N dossiers de ce filtre").

The list's bulk form posts them the same way to every action (`/projets/selection/` for the
status move and the export, `/comites/ajout-a-l-ordre-du-jour/` for the agenda):

- `portee`: `selection` (the rows ticked) or `filtre` (every dossier of the filter);
- `dossier`: the ids of the rows ticked (repeated);
- `filtre`: the list's filters as an address (`annee=2021&pilier=emploi`), read again by the one
  definition of the filters (`projects.filters.parse_filters`): "all N of this filter" is the
  filter, never a list of ids written in the page;
- `tri`: the list's order (the export keeps it).

Every value is checked here: a malformed id, an invalid filter or too many dossiers is a French
message, and nothing is done."""

from dataclasses import dataclass, field

from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from .filters import MAX_ID, DossierScope, parse_filters
from .models import Project

SELECTED, WHOLE_FILTER = "selection", "filtre"
# A bulk action moves dossiers one by one through the workflow: a bound keeps it to seconds.
MAX_DOSSIERS = 2000
# Longer than any filter the list writes (the canonical address of every code it offers).
MAX_FILTER_LENGTH = 50_000


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


@dataclass
class Selection:
    """The dossiers chosen, as ids or as the filter's scope; `errors` say why none can be acted on."""

    whole_filter: bool = False
    ids: tuple[int, ...] = ()
    scope: DossierScope = field(default_factory=DossierScope)
    sort: str = ""
    errors: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def projects(self) -> QuerySet:
        """The dossiers chosen (none while the selection is invalid)."""
        if not self.is_valid:
            return Project.objects.none()
        if self.whole_filter:
            return self.scope.projects()
        return Project.objects.filter(pk__in=self.ids)

    @property
    def filter_query(self) -> str:
        return self.scope.query_string()

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The selection as the fields of a form, to carry it to the next step."""
        fields = [("portee", WHOLE_FILTER if self.whole_filter else SELECTED), ("filtre", self.filter_query)]
        if self.sort:
            fields.append(("tri", self.sort))
        if not self.whole_filter:
            fields += [("dossier", str(pk)) for pk in self.ids]
        return fields

    @property
    def list_url(self) -> str:
        """The dossier list the selection was made on."""
        query = self.filter_query
        return reverse("projects:list") + (f"?{query}" if query else "")

    @property
    def description(self) -> str:
        """ "les 3 dossiers cochés", "les 45 dossiers du filtre"."""
        n = self.count
        if self.whole_filter:
            return "le dossier du filtre" if n == 1 else f"les {_count(n)} dossiers du filtre"
        return "le dossier coché" if n == 1 else f"les {_count(n)} dossiers cochés"


def read_selection(data: QueryDict) -> Selection:
    """The selection posted by the list's bulk form (`data`: the request's POST)."""
    selection = Selection(whole_filter=data.get("portee", SELECTED) == WHOLE_FILTER)
    sort = data.get("tri", "")
    selection.sort = sort if sort.isascii() and len(sort) <= 20 and "\x00" not in sort else ""

    raw_filter = data.get("filtre", "")
    if len(raw_filter) > MAX_FILTER_LENGTH or "\x00" in raw_filter:
        selection.errors.append("Le filtre de la liste n'est pas valide : revenez à la liste des dossiers.")
        return selection
    try:
        parsed = parse_filters(QueryDict(raw_filter))
    except SuspiciousOperation:  # more parameters than an address may carry
        selection.errors.append("Le filtre de la liste n'est pas valide : revenez à la liste des dossiers.")
        return selection
    if not parsed.is_valid:
        selection.errors += ["Le filtre de la liste n'est pas valide :", *parsed.messages]
        return selection
    selection.scope = parsed.scope

    if selection.whole_filter:
        selection.count = selection.scope.projects().count()
        if not selection.count:
            selection.errors.append("Aucun dossier ne correspond à ce filtre : il n'y a rien à faire.")
    else:
        ids = []
        for value in data.getlist("dossier"):
            value = value.strip()
            if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID):
                selection.errors.append(f"« {value[:40]} » n'est pas un identifiant de dossier.")
                return selection
            ids.append(int(value))
        selection.ids = tuple(dict.fromkeys(ids))
        selection.count = len(selection.ids)
        if not selection.ids:
            selection.errors.append(
                "Aucun dossier coché : cochez les dossiers voulus dans la liste, "
                "ou choisissez « tous les dossiers de ce filtre »."
            )
    if selection.count > MAX_DOSSIERS:
        selection.errors.append(
            f"Une action groupée porte sur {_count(MAX_DOSSIERS)} dossiers au plus ; "
            f"celle-ci en compte {_count(selection.count)} : affinez le filtre."
        )
    return selection

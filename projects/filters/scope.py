"""Which dossiers a page counts: the `DossierScope`, read from the address by
`projects.filters.parameters.parse_filters` (docs/contracts.md §5).

One scope serves the dossier list and its export, the dashboard's figures and its links to the
list, and the comités' bulk actions: the same parameters mean the same dossiers everywhere.

- Dossier parameters (année, pilier, thématique, type de porteur, porteur, quartier, commune,
  statut, recherche) choose dossiers. Conditions across to-many relations (quartiers, communes,
  funding lines) are `EXISTS` subqueries: a dossier is never counted twice, so no `DISTINCT`
  is needed and sums over the result stay right.
- Funding-line parameters (financeur, nature) choose the dossiers that have such a line (both
  on the same line: `financeur=anct&nature=specifique` is a specific ANCT line), and, where
  amounts are summed (`line_q`), those lines only: `?financeur=anct` sums the ANCT credits.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.models import FundingLine, Project

# Every parameter, in the order of the canonical query string (`DossierScope.params`).
PARAMETERS = (
    "annee",
    "pilier",
    "thematique",
    "type_porteur",
    "porteur",
    "quartier",
    "commune",
    "financeur",
    "nature",
    "q",
    "statut",
    "pieces",
    "compte_rendu",
)
# Parameters that describe one funding line: combined, they hold on the same line.
LINE_PARAMETERS = ("financeur", "nature")


@dataclass(frozen=True)
class DossierCondition:
    """A value of a parameter that an app above this one defines: its French label, and the
    dossiers it keeps (a function giving a `Project` queryset, evaluated as a subquery)."""

    label: str
    dossiers: Callable[[], QuerySet]
    # The permission a user needs to filter by it (the comité, which does not see the pieces,
    # may not count the dossiers that miss some); empty: anyone who sees the page.
    permission: str = ""


# Parameters whose values apps above `projects` define, since projects may not import them
# (docs/architecture.md, "Layers"): the documents app registers `pieces=manquantes`, the dossiers
# that miss a required piece, and the funding app `compte_rendu=en_retard`, from their
# AppConfig.ready(). Value → condition, per parameter.
REGISTERED: dict[str, dict[str, DossierCondition]] = {"pieces": {}, "compte_rendu": {}}


def register_dossier_condition(
    parameter: str, value: str, label: str, dossiers: Callable[[], QuerySet], permission: str = ""
) -> None:
    """Makes `parameter=value` keep the dossiers of `dossiers()` on every page that takes the
    filters (list, export, dashboard, bulk actions), for the users who have `permission`."""
    REGISTERED[parameter][value] = DossierCondition(label, dossiers, permission)


def case_variants(word: str) -> list[str]:
    """The spellings of a word to look for. SQLite folds the case of ASCII letters only, so
    "élan" would miss "Élan": the usual capitalisations of an accented word are tried too
    (PostgreSQL folds them all anyway)."""
    if word.isascii():
        return [word]
    return list(dict.fromkeys([word, word.lower(), word.upper(), word.capitalize()]))


def _outer(path: str) -> OuterRef:
    # The dossier's id seen from the queried model: `pk` for a dossier, `project__pk` (the
    # foreign key's column, no join) for a funding line or a dossier's quartier.
    return OuterRef(f"{path}pk")


@dataclass(frozen=True)
class DossierScope:
    """Which dossiers (and, for sums, which funding lines) count; empty means all of them.

    Values are clean: years, codes as the reference data spells them (a quartier by the code
    its option carries, whatever alias the address used), porteurs by id, search phrases with
    their spaces collapsed. Build one with `parse_filters`, or directly in code and tests."""

    annee: tuple[int, ...] = ()
    pilier: tuple[str, ...] = ()
    thematique: tuple[str, ...] = ()
    type_porteur: tuple[str, ...] = ()
    porteur: tuple[int, ...] = ()
    quartier: tuple[str, ...] = ()
    commune: tuple[str, ...] = ()
    financeur: tuple[str, ...] = ()
    nature: tuple[str, ...] = ()
    q: tuple[str, ...] = ()
    statut: tuple[str, ...] = ()
    pieces: tuple[str, ...] = ()
    compte_rendu: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def restricts_lines(self) -> bool:
        return bool(self.financeur or self.nature)

    def without(self, *names: str) -> "DossierScope":
        """The same scope without these parameters (the dashboard takes its year apart)."""
        return replace(self, **dict.fromkeys(names, ()))

    # The conditions ------------------------------------------------------------------------

    def project_q(self, path: str = "") -> Q:
        """The condition on dossiers; `path` is the way from the queried model to the dossier
        (`""` for `Project`, `"project__"` for `FundingLine` or a dossier's quartier)."""
        condition = Q()
        for name, lookup in (
            ("annee", "year_id__in"),
            ("pilier", "pillar__code__in"),
            ("thematique", "theme__code__in"),
            ("type_porteur", "operator__kind__in"),
            ("porteur", "operator_id__in"),
            ("statut", "status__in"),
        ):
            values = getattr(self, name)
            if values:
                condition &= Q(**{f"{path}{lookup}": values})
        targets = Project.quartiers.through.objects.filter(project_id=_outer(path))
        if self.quartier:
            codes = self.quartier
            by_code = (
                Q(quartier__code_2015__in=codes)
                | Q(quartier__code_2024__in=codes)
                | Q(quartier__local_code__in=codes)
            )
            condition &= Q(Exists(targets.filter(by_code)))
        if self.commune:
            condition &= Q(Exists(targets.filter(quartier__communes__insee_code__in=self.commune)))
        if self.restricts_lines:
            lines = FundingLine.objects.filter(project_id=_outer(path)).filter(self.line_only_q())
            condition &= Q(Exists(lines))
        if self.q:
            condition &= self._text_q(path)
        for name, registered in REGISTERED.items():
            for value in getattr(self, name):
                condition &= Q(**{f"{path}pk__in": registered[value].dossiers().values("pk")})
        return condition

    def line_only_q(self) -> Q:
        """The condition on a funding line itself: its funder and nature."""
        condition = Q()
        if self.financeur:
            condition &= Q(funder__code__in=self.financeur)
        if self.nature:
            condition &= Q(nature__in=self.nature)
        return condition

    def line_q(self) -> Q:
        """The condition on funding lines whose amounts are summed: their dossier is in scope,
        and the line itself is of the chosen funders and natures."""
        return self.without(*LINE_PARAMETERS).project_q("project__") & self.line_only_q()

    def _text_q(self, path: str) -> Q:
        # Each phrase matches when every one of its words is in the reference, the title or
        # the porteur's name; several phrases are alternatives. Accents count as typed.
        match = Q()
        for phrase in self.q:
            words = Q()
            for word in phrase.split():
                word_match = Q()
                for variant in case_variants(word):
                    word_match |= (
                        Q(**{f"{path}reference__icontains": variant})
                        | Q(**{f"{path}title__icontains": variant})
                        | Q(**{f"{path}operator__name__icontains": variant})
                    )
                words &= word_match
            match |= words
        return match

    def apply(self, projects: QuerySet) -> QuerySet:
        """`projects` (dossiers) restricted to the scope."""
        return projects.filter(self.project_q()) if self else projects

    def projects(self) -> QuerySet:
        return self.apply(Project.objects.all())

    # The address -----------------------------------------------------------------------------

    def params(self, **overrides: Iterable) -> list[tuple[str, str]]:
        """The scope as query parameters, in the canonical order; `overrides` replace a
        parameter's values (a bar of the pilier chart links to that pilier, whatever the piliers
        chosen), and other names are added after the scope's (`tri`...)."""
        items = []
        for name in PARAMETERS:
            values = overrides[name] if name in overrides else getattr(self, name)
            items.extend((name, str(value)) for value in values)
        for name, values in overrides.items():
            if name not in PARAMETERS:
                items.extend((name, str(value)) for value in values)
        return items

    def query_string(self, **overrides: Iterable) -> str:
        return urlencode(self.params(**overrides))

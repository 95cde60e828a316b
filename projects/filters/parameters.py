"""Reading the dossier filters from an address (docs/contracts.md §5), once, for every page
that takes them: the dossier list and its export, the dashboard, the comités' bulk actions.

Values are the import format's codes (a quartier by any of its QPV codes, a commune by its INSEE
code, a porteur by its id); a parameter may repeat, its values being alternatives
(`?statut=depose&statut=programme`). An unknown or malformed value is an error in French that
names the parameter and the value; every page then shows the errors, and no dossier and no
figure, rather than a larger set that would look filtered. Hostile values (NUL characters,
integers beyond the database's, very long or very many values) are such errors too, never a
server error: nothing unchecked reaches a query.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.utils.datastructures import MultiValueDict

from contratville.collation import sort_key
from projects.models import (
    Commune,
    Funder,
    Nature,
    Operator,
    OperatorKind,
    Pillar,
    Quartier,
    QuartierKind,
    Status,
)

from .scope import PARAMETERS, REGISTERED, DossierScope

# The range of ProgrammeYear.year.
MIN_YEAR, MAX_YEAR = 2000, 2100
# The largest identifier the database stores (PostgreSQL's bigint).
MAX_ID = 2**63 - 1
MAX_SEARCH_LENGTH = 200
# Longer than any code of the reference data: a longer value is unknown without asking.
MAX_CODE_LENGTH = 40
# Values of one parameter: a national programme has 1,500 quartiers, all of which may be chosen.
MAX_VALUES = 2000
# Unknown values named one by one in the errors, the others counted.
SHOWN_ERRORS = 5
# How much of a refused value an error quotes.
QUOTED_LENGTH = 40

LABELS = {
    "annee": "Année",
    "q": "Recherche",
    "pilier": "Pilier",
    "thematique": "Thématique",
    "statut": "Statut",
    "type_porteur": "Type de porteur",
    "porteur": "Porteur",
    "quartier": "Quartier",
    "commune": "Commune",
    "financeur": "Financeur",
    "nature": "Nature des crédits",
    "pieces": "Pièces du dossier",
    "compte_rendu": "Compte-rendu financier",
}
# The order in which a page lists the filters applied (the dashboard's "Filtres appliqués").
LABEL_ORDER = (
    "annee",
    "pilier",
    "thematique",
    "type_porteur",
    "porteur",
    "quartier",
    "commune",
    "financeur",
    "nature",
    "statut",
    "pieces",
    "compte_rendu",
    "q",
)

UNKNOWN = {
    "pilier": "Pilier inconnu : « {value} » (codes possibles : {codes}).",
    "thematique": "Thématique inconnue : « {value} » (code ANCT attendu, par exemple 1.1).",
    "statut": "Statut inconnu : « {value} ».",
    "type_porteur": "Type de porteur inconnu : « {value} ».",
    "porteur": "Porteur inconnu : aucun porteur n'a l'identifiant « {value} ».",
    "quartier": "Quartier inconnu : « {value} » (code QPV attendu, par exemple QP062004 ou QN06204M).",
    "commune": "Commune inconnue : « {value} » (code INSEE attendu, par exemple 62119).",
    "financeur": "Financeur inconnu : « {value} » (un code comme anct, region, caf).",
    "nature": "Nature inconnue : « {value} » (codes possibles : droit_commun, specifique).",
    "pieces": "Pièces du dossier : valeur inconnue « {value} » (valeur possible : {codes}).",
    "compte_rendu": "Compte-rendu financier : valeur inconnue « {value} » (valeur possible : {codes}).",
}
FORBIDDEN = "{label} : le filtre « {value} » n'est pas ouvert à votre rôle."
NOT_AN_ID = "« {value} » n'est pas un identifiant de porteur."
NOT_A_YEAR = "« {value} » n'est pas une année (exemple : 2022)."
TOO_LONG_SEARCH = "La recherche est trop longue ({length} caractères, {limit} au plus)."
NUL = "{label} : « {value} » contient un caractère nul ; valeur refusée."
TOO_MANY = "{label} : {count} valeurs, {limit} au plus."
MORE_UNKNOWN = "{label} : {count} autres valeurs inconnues."


def quoted(value: str) -> str:
    """A refused value as an error quotes it: control characters out, at most 40 characters."""
    text = "".join(c for c in str(value) if c.isprintable())
    return text if len(text) <= QUOTED_LENGTH else text[: QUOTED_LENGTH - 1] + "…"


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


@dataclass(frozen=True)
class QuartierChoice:
    """A quartier as the filters offer it: its code (the one its option carries) and every
    code it goes by (2015 `QP…`, 2024 `QN…`, local), with its communes (INSEE code, name)."""

    id: int
    code: str
    name: str
    kind: str
    communes: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name if self.kind == QuartierKind.QPV else f"{self.name} (veille)"

    @property
    def option_label(self) -> str:
        return f"{self.label} ({self.code})"


class FilterReference:
    """The values the parameters accept, read from the reference data when first needed: one
    query per family (piliers with their thématiques, quartiers with their communes, funders).
    Porteurs, and communes without a quartier, are looked up by the values asked only (a
    national programme has thousands)."""

    @cached_property
    def _pillars_and_themes(self) -> tuple[dict[str, str], dict[str, str]]:
        # One query; each list then in its own order (thématiques by their ANCT number).
        pillars, themes = {}, {}
        rows = Pillar.objects.values_list(
            "code", "label", "order", "themes__code", "themes__label", "themes__order"
        )
        for code, label, order, theme_code, theme_label, theme_order in rows:
            pillars[code] = (order, code, label)
            if theme_code:
                themes[theme_code] = (theme_order, theme_code, theme_label)
        return (
            {code: label for _order, code, label in sorted(pillars.values())},
            {code: label for _order, code, label in sorted(themes.values())},
        )

    @property
    def pillars(self) -> dict[str, str]:
        """Code → label, in the nomenclature's order."""
        return self._pillars_and_themes[0]

    @property
    def themes(self) -> dict[str, str]:
        """Code → label, in the nomenclature's order."""
        return self._pillars_and_themes[1]

    @cached_property
    def quartiers(self) -> list[QuartierChoice]:
        """Every quartier with its communes (one query), QPV first."""
        found: dict[int, dict] = {}
        rows = Quartier.objects.order_by("kind", "code_2015", "name").values(
            "id",
            "name",
            "kind",
            "code_2015",
            "code_2024",
            "local_code",
            "communes__insee_code",
            "communes__name",
        )
        for row in rows:
            quartier = found.get(row["id"])
            if quartier is None:
                codes = tuple(c for c in (row["code_2015"], row["code_2024"], row["local_code"]) if c)
                quartier = found[row["id"]] = {
                    "id": row["id"],
                    "code": codes[0] if codes else "",
                    "name": row["name"],
                    "kind": row["kind"],
                    "aliases": codes,
                    "communes": [],
                }
            if row["communes__insee_code"]:
                quartier["communes"].append((row["communes__insee_code"], row["communes__name"]))
        return [QuartierChoice(**{**q, "communes": tuple(q["communes"])}) for q in found.values()]

    @cached_property
    def quartier_by_alias(self) -> dict[str, QuartierChoice]:
        return {alias: q for q in self.quartiers for alias in q.aliases}

    @cached_property
    def communes(self) -> dict[str, str]:
        """The communes that have a quartier (a dossier reaches a commune only through its
        quartiers): INSEE code → name, sorted as French readers expect, accents ignored."""
        names = {code: name for q in self.quartiers for code, name in q.communes}
        return dict(sorted(names.items(), key=lambda item: sort_key(item[1])))

    @cached_property
    def funders(self) -> dict[str, str]:
        return dict(Funder.objects.order_by("order", "code").values_list("code", "label"))

    def commune_names(self, codes: list[str]) -> dict[str, str]:
        """Names of these communes, known or not to the quartiers (one query for the others)."""
        known = {code: self.communes[code] for code in codes if code in self.communes}
        others = [code for code in codes if code not in known]
        if others:
            known.update(Commune.objects.filter(insee_code__in=others).values_list("insee_code", "name"))
        return known

    @staticmethod
    def operator_names(ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(Operator.objects.filter(pk__in=ids).values_list("pk", "name"))


class ParsedFilters:
    """What `parse_filters` read: the scope, the errors by parameter, and the names of the
    values chosen (for labels and forms)."""

    def __init__(self):
        self.scope = DossierScope()
        self.errors: dict[str, list[str]] = {}
        # Parameter → {clean value: its label}.
        self.names: dict[str, dict] = {}
        # The address's values, cleaned enough to be shown again in a form (no NUL, bounded).
        self.display = MultiValueDict()

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def messages(self) -> list[str]:
        """Every error, in the order of the parameters in the forms."""
        return [message for name in LABELS for message in self.errors.get(name, [])]

    def form_data(self) -> MultiValueDict:
        """The values a form shows: the clean scope's when valid (a quartier under the code of
        its option), else the address's own, so that the reader sees what to correct."""
        if not self.is_valid:
            return self.display.copy()
        data = MultiValueDict()
        for name, value in self.scope.params():
            data.appendlist(name, value)
        return data

    def labels(self, scope: DossierScope | None = None) -> list[tuple[str, str]]:
        """The filters applied, as French readers say them: [("Pilier", "Emploi, Pilotage")...]."""
        scope = self.scope if scope is None else scope
        labels = []
        for name in LABEL_ORDER:
            values = getattr(scope, name)
            if values:
                names = self.names.get(name, {})
                labels.append((LABELS[name], ", ".join(str(names.get(v, v)) for v in values)))
        return labels


def _raw_values(query: Mapping, name: str, parsed: ParsedFilters) -> list[str]:
    """The parameter's non-empty values, stripped; NUL characters and too many values are
    errors."""
    if hasattr(query, "getlist"):
        raw = [str(value) for value in query.getlist(name)]
    else:
        value = query.get(name)
        raw = (
            []
            if value is None
            else [str(v) for v in value]
            if isinstance(value, list | tuple)
            else [str(value)]
        )
    parsed.display.setlist(
        name, [value.replace("\x00", "")[: MAX_SEARCH_LENGTH + 1] for value in raw[:MAX_VALUES]]
    )
    values = []
    for value in raw:
        if "\x00" in value:
            parsed.add_error(name, NUL.format(label=LABELS[name], value=quoted(value)))
        elif value.strip():
            values.append(value.strip())
    if len(values) > MAX_VALUES:
        parsed.add_error(
            name, TOO_MANY.format(label=LABELS[name], count=_count(len(values)), limit=_count(MAX_VALUES))
        )
        return []
    return values


def _unknown(parsed: ParsedFilters, name: str, values: list[str], message: str, **hints: str) -> None:
    for value in values[:SHOWN_ERRORS]:
        parsed.add_error(name, message.format(value=quoted(value), **hints))
    if len(values) > SHOWN_ERRORS:
        parsed.add_error(
            name, MORE_UNKNOWN.format(label=LABELS[name], count=_count(len(values) - SHOWN_ERRORS))
        )


def _codes(
    parsed: ParsedFilters,
    name: str,
    values: list[str],
    known: Mapping[str, str],
    *,
    canonical: Callable[[str], str] = lambda code: code,
    **hints: str,
) -> tuple[str, ...]:
    """Codes among `known` (code → label); `canonical` names the code a value stands for."""
    found, unknown = [], []
    for value in values:
        if len(value) <= MAX_CODE_LENGTH and value in known:
            found.append(canonical(value))
        else:
            unknown.append(value)
    _unknown(parsed, name, unknown, UNKNOWN[name], **hints)
    return tuple(dict.fromkeys(found))


def _is_number(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _years(parsed: ParsedFilters, values: list[str]) -> tuple[int, ...]:
    years = set()
    for value in values:
        if _is_number(value) and MIN_YEAR <= int(value) <= MAX_YEAR:
            years.add(int(value))
        else:
            parsed.add_error("annee", NOT_A_YEAR.format(value=quoted(value)))
    parsed.names["annee"] = {year: str(year) for year in years}
    return tuple(sorted(years))


def _porteurs(parsed: ParsedFilters, values: list[str], reference: FilterReference) -> tuple[int, ...]:
    ids = []
    malformed = []
    for value in values:
        if _is_number(value) and int(value) <= MAX_ID:
            ids.append(int(value))
        else:
            malformed.append(value)
    _unknown(parsed, "porteur", malformed, NOT_AN_ID)
    ids = list(dict.fromkeys(ids))
    names = reference.operator_names(ids)
    _unknown(parsed, "porteur", [str(pk) for pk in ids if pk not in names], UNKNOWN["porteur"])
    parsed.names["porteur"] = names
    return tuple(pk for pk in ids if pk in names)


def _search(parsed: ParsedFilters, values: list[str]) -> tuple[str, ...]:
    phrases = []
    for value in values:
        phrase = " ".join(value.split())
        if len(phrase) > MAX_SEARCH_LENGTH:
            parsed.add_error("q", TOO_LONG_SEARCH.format(length=_count(len(phrase)), limit=MAX_SEARCH_LENGTH))
        elif phrase:
            phrases.append(phrase)
    phrases = list(dict.fromkeys(phrases))
    parsed.names["q"] = {phrase: f"« {phrase} »" for phrase in phrases}
    return tuple(phrases)


def _choices(parsed: ParsedFilters, name: str, values: list[str], choices) -> tuple[str, ...]:
    known = {code: str(label) for code, label in choices}
    found = _codes(parsed, name, values, known)
    parsed.names[name] = known
    return found


def parse_filters(query: Mapping, reference: FilterReference | None = None) -> ParsedFilters:
    """Read and check every filter parameter of `query` (a `QueryDict`, or a mapping of
    parameter → value or list of values). Only the reference data the present parameters need
    is read (`FilterReference`, one query per family)."""
    reference = reference or FilterReference()
    parsed = ParsedFilters()
    raw = {name: _raw_values(query, name, parsed) for name in PARAMETERS}
    values: dict[str, tuple] = {}
    values["annee"] = _years(parsed, raw["annee"])
    values["q"] = _search(parsed, raw["q"])
    values["porteur"] = _porteurs(parsed, raw["porteur"], reference)
    values["statut"] = _choices(parsed, "statut", raw["statut"], Status.choices)
    values["type_porteur"] = _choices(parsed, "type_porteur", raw["type_porteur"], OperatorKind.choices)
    values["nature"] = _choices(parsed, "nature", raw["nature"], Nature.choices)
    for name, conditions in REGISTERED.items():
        if raw[name]:
            registered = {value: condition.label for value, condition in conditions.items()}
            values[name] = _codes(
                parsed, name, raw[name], registered, codes=", ".join(registered) or "aucune"
            )
            parsed.names[name] = registered
    if raw["pilier"]:
        pillars = reference.pillars
        values["pilier"] = _codes(parsed, "pilier", raw["pilier"], pillars, codes=", ".join(pillars))
        parsed.names["pilier"] = pillars
    if raw["thematique"]:
        themes = {code: f"{code} {label}" for code, label in reference.themes.items()}
        values["thematique"] = _codes(parsed, "thematique", raw["thematique"], themes)
        parsed.names["thematique"] = themes
    if raw["financeur"]:
        values["financeur"] = _codes(parsed, "financeur", raw["financeur"], reference.funders)
        parsed.names["financeur"] = reference.funders
    if raw["quartier"]:
        by_alias = reference.quartier_by_alias
        codes = [value.upper() for value in raw["quartier"]]
        aliases = {alias: q.option_label for alias, q in by_alias.items()}
        values["quartier"] = _codes(
            parsed, "quartier", codes, aliases, canonical=lambda alias: by_alias[alias].code
        )
        parsed.names["quartier"] = {q.code: q.option_label for q in by_alias.values()}
    if raw["commune"]:
        asked = [value for value in raw["commune"] if len(value) <= MAX_CODE_LENGTH]
        names = reference.commune_names(list(dict.fromkeys(asked)))
        values["commune"] = _codes(parsed, "commune", raw["commune"], names)
        parsed.names["commune"] = names
    parsed.scope = DossierScope(**values)
    return parsed


def check_permissions(parsed: ParsedFilters, user) -> ParsedFilters:
    """Errors for the registered values (`scope.REGISTERED`) that `user` may not filter by: a
    page whose readers may lack the permission (the dashboard, read by the comité) calls it
    after `parse_filters`."""
    for name, registered in REGISTERED.items():
        for value in getattr(parsed.scope, name):
            permission = registered[value].permission
            if permission and not user.has_perm(permission):
                parsed.add_error(name, FORBIDDEN.format(label=LABELS[name], value=registered[value].label))
    return parsed

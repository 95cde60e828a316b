"""The dossier's journal: who changed what and when, read from its audit trail.

django-simple-history keeps a record of the dossier (with its quartiers), of each of its
funding lines and of each indicator at every save. The journal groups the records of one save
(the services give all of them one date) into one entry and compares each entry with the state
before it: the dossier's fields (French label, before → after), its quartiers, and its funding
lines added, removed or changed with their amounts before and after. An import replaces a
dossier's lines: a line removed and a line added for the same funder in one entry read as one
line changed.

It reads in four queries, whatever the number of records: the three histories and the
quartiers of each record of the dossier, each joined with the users, operators, piliers,
thématiques, funders and quartiers it names."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.formats import date_format
from django.utils.text import Truncator

from projects.models import FundingLine, Indicator, Nature, Project

# The reason the migrations give the record of every row that existed when the journal opened.
BASELINE_REASON = "État à l'ouverture du journal des modifications"
# Fields of the dossier the journal does not show: bookkeeping, not content.
HIDDEN_FIELDS = {"id", "version", "created_at", "is_synthetic"}
# What a new dossier's entry shows, besides its lines.
CREATION_FIELDS = ["status", "operator", "pillar", "theme", "budget", "quartiers"]
TEXT_LIMIT = 160
EMPTY = "—"
# What a record had before, when it was written before its history began.
UNKNOWN = "(valeur précédente non enregistrée)"


@dataclass(frozen=True)
class FieldChange:
    """One field before → after. Amounts stay Decimal (`is_money`), for the template's euros."""

    label: str
    before: object
    after: object
    is_money: bool = False


@dataclass(frozen=True)
class LineState:
    funder: str
    nature: str
    requested: Decimal | None
    granted: Decimal | None


@dataclass(frozen=True)
class LineChange:
    """A funding line added (no `before`), removed (no `after`) or changed. A line written
    before its history began (synthetic data...) changes from an unknown state."""

    before: LineState | None
    after: LineState | None
    before_unknown: bool = False

    @property
    def funder(self) -> str:
        return (self.after or self.before).funder

    @property
    def action(self) -> str:
        if self.before_unknown:
            return "modifiée"
        if self.before is None:
            return "ajoutée"
        if self.after is None:
            return "supprimée"
        return "modifiée"

    @property
    def nature_changed(self) -> bool:
        return self.before is not None and self.after is not None and self.before.nature != self.after.nature

    @property
    def requested_changed(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and self.before.requested != self.after.requested
        )

    @property
    def granted_changed(self) -> bool:
        return (
            self.before is not None and self.after is not None and self.before.granted != self.after.granted
        )


@dataclass
class JournalEntry:
    date: datetime
    user: object | None
    reason: str
    kind: str  # "creation", "change", "deletion" or "baseline" (state when the journal opened)
    version: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    lines: list[LineChange] = field(default_factory=list)
    indicators: list[FieldChange] = field(default_factory=list)

    @property
    def user_name(self) -> str:
        if self.user is None:
            return ""
        return self.user.get_full_name() or self.user.get_username()

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.lines or self.indicators) and self.kind == "change"


class _Labels:
    """The labels of the operators, piliers, thématiques and funders the records name, read
    with the records themselves (joined), not one query each."""

    def __init__(self, project_records, line_records):
        self.operators = {r.operator_id: r.operator.name for r in project_records if r.operator is not None}
        self.pillars = {r.pillar_id: r.pillar.label for r in project_records if r.pillar is not None}
        self.themes = {
            r.theme_id: f"{r.theme.code} {r.theme.label}" for r in project_records if r.theme is not None
        }
        self.funders = {r.funder_id: r.funder.label for r in line_records if r.funder is not None}


def _display(model_field: models.Field, value, labels: _Labels):
    """A field's value as the journal shows it (amounts stay Decimal, or None, for euros)."""
    if _is_money(model_field):
        return value
    if value is None or value == "":
        return EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    name = model_field.name
    if name == "operator":
        return labels.operators.get(value, f"porteur n° {value}")
    if name == "pillar":
        return labels.pillars.get(value, str(value))
    if name == "theme":
        return labels.themes.get(value, str(value))
    if isinstance(model_field, models.BooleanField):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return date_format(value, "j F Y à H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(model_field, models.DecimalField):
        return _number(value)
    return Truncator(str(value)).chars(TEXT_LIMIT)


def _label(model_field: models.Field) -> str:
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _is_money(model_field: models.Field) -> bool:
    return isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2


def _project_fields() -> list[models.Field]:
    tracked = Project.history.model.tracked_fields
    return [f for f in tracked if f.name not in HIDDEN_FIELDS]


def _state(record, fields, quartiers: dict[int, frozenset]) -> dict:
    state = {f.name: getattr(record, f.attname) for f in fields}
    state["quartiers"] = quartiers.get(record.history_id, frozenset())
    return state


def _line_state(record, labels: _Labels) -> LineState:
    return LineState(
        funder=labels.funders.get(record.funder_id, f"financeur n° {record.funder_id}"),
        nature=str(Nature(record.nature).label) if record.nature in Nature.values else record.nature,
        requested=record.amount_requested,
        granted=record.amount_granted,
    )


def _indicator_text(record) -> str:
    values = [record.label]
    if record.expected is not None or record.achieved is not None:
        values.append(
            f"attendu {_number(record.expected)}, atteint {_number(record.achieved)}"
            + (f" {record.unit}" if record.unit else "")
        )
    return " : ".join(values)


def _number(value: Decimal | None) -> str:
    if value is None:
        return EMPTY
    return f"{value.normalize():f}".replace(".", ",")


def _pair_replaced_lines(changes: list[LineChange]) -> list[LineChange]:
    """A line removed and a line added for the same funder in one entry: one line changed."""
    removed = defaultdict(list)
    for change in changes:
        if change.action == "supprimée":
            removed[change.before.funder].append(change)
    paired, used = [], set()
    for change in changes:
        if change.action == "ajoutée" and removed.get(change.after.funder):
            old = removed[change.after.funder].pop(0)
            used.add(id(old))
            if old.before != change.after:
                paired.append(LineChange(before=old.before, after=change.after))
        elif change.action != "supprimée":
            paired.append(change)
    paired.extend(change for change in changes if change.action == "supprimée" and id(change) not in used)
    return paired


def project_journal(project_id: int, *, after_version: int | None = None) -> list[JournalEntry]:
    """The dossier's journal, newest entry first. With `after_version`, only the entries of
    the saves that gave the dossier a later version (what changed since a form was opened)."""
    project_records = list(
        Project.history.filter(id=project_id)
        .select_related("history_user", "operator", "pillar", "theme")
        .order_by("history_date", "history_id")
    )
    Snapshot = Project.history.model.quartiers.model
    quartiers: dict[int, set] = defaultdict(set)
    quartier_codes: dict[int, str] = {}
    for snapshot in Snapshot.objects.filter(project_id=project_id).select_related("quartier"):
        quartiers[snapshot.history_id].add(snapshot.quartier_id)
        if snapshot.quartier is not None:
            quartier_codes[snapshot.quartier_id] = snapshot.quartier.code
    frozen = {history_id: frozenset(ids) for history_id, ids in quartiers.items()}
    line_records = list(
        FundingLine.history.filter(project_id=project_id)
        .select_related("history_user", "funder")
        .order_by("history_date", "history_id")
    )
    indicator_records = list(
        Indicator.history.filter(project_id=project_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    labels = _Labels(project_records, line_records)

    entries: dict[datetime, JournalEntry] = {}

    def entry_for(record) -> JournalEntry:
        entry = entries.get(record.history_date)
        if entry is None:
            entry = entries[record.history_date] = JournalEntry(
                date=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                kind="baseline" if record.history_change_reason == BASELINE_REASON else "change",
            )
        elif entry.user is None and record.history_user is not None:
            entry.user = record.history_user
        return entry

    # The dossier: each entry compares the state before its first record with its last one.
    fields = _project_fields()
    by_name = {f.name: f for f in fields}
    previous = None
    groups: dict[datetime, list] = defaultdict(list)
    for record in project_records:
        groups[record.history_date].append(record)
    for records in groups.values():
        entry = entry_for(records[0])
        entry.version = records[-1].version
        before = previous
        after = _state(records[-1], fields, frozen)
        previous = after
        types = {record.history_type for record in records}
        if entry.kind == "baseline":
            continue
        if "-" in types:
            entry.kind = "deletion"
            continue
        if "+" in types or before is None:
            entry.kind = "creation" if "+" in types else "change"
            names = CREATION_FIELDS
            before = {}
        else:
            names = [*by_name, "quartiers"]
        for name in names:
            old, new = before.get(name), after[name]
            if name == "quartiers":
                old = old or frozenset()
                if old != new:
                    entry.changes.append(
                        FieldChange(
                            "Quartiers",
                            ", ".join(sorted(quartier_codes.get(pk, str(pk)) for pk in old)) or EMPTY,
                            ", ".join(sorted(quartier_codes.get(pk, str(pk)) for pk in new)) or EMPTY,
                        )
                    )
                continue
            if old == new or (not before and new in (None, "")):
                continue
            model_field = by_name[name]
            entry.changes.append(
                FieldChange(
                    _label(model_field),
                    _display(model_field, old, labels),
                    _display(model_field, new, labels),
                    is_money=_is_money(model_field),
                )
            )

    # Funding lines: per line, its state before the entry and after it.
    line_changes: dict[datetime, list[LineChange]] = defaultdict(list)
    last_line: dict[int, LineState | None] = {}
    line_groups: dict[datetime, list] = defaultdict(list)
    for record in line_records:
        line_groups[record.history_date].append(record)
    for moment, records in line_groups.items():
        entry = entry_for(records[0])
        first_before: dict[int, LineState | None] = {}
        unknown: set[int] = set()
        for record in records:
            if record.id not in first_before and record.id not in last_line and record.history_type != "+":
                # No earlier record: a deletion's own record holds the state it ends.
                if record.history_type == "-":
                    first_before[record.id] = _line_state(record, labels)
                else:
                    unknown.add(record.id)
            first_before.setdefault(record.id, last_line.get(record.id))
            last_line[record.id] = None if record.history_type == "-" else _line_state(record, labels)
        if entry.kind == "baseline":
            continue
        for line_id, before in first_before.items():
            after = last_line[line_id]
            if before != after:
                line_changes[moment].append(
                    LineChange(before=before, after=after, before_unknown=line_id in unknown)
                )
    for moment, changes in line_changes.items():
        entries[moment].lines = _pair_replaced_lines(changes)

    # Indicators: added, removed, or their text before → after.
    last_indicator: dict[int, str | None] = {}
    indicator_groups: dict[datetime, list] = defaultdict(list)
    for record in indicator_records:
        indicator_groups[record.history_date].append(record)
    for records in indicator_groups.values():
        entry = entry_for(records[0])
        first_before: dict[int, str | None] = {}
        for record in records:
            if (
                record.id not in first_before
                and record.id not in last_indicator
                and record.history_type != "+"
            ):
                first_before[record.id] = _indicator_text(record) if record.history_type == "-" else UNKNOWN
            first_before.setdefault(record.id, last_indicator.get(record.id))
            last_indicator[record.id] = None if record.history_type == "-" else _indicator_text(record)
        if entry.kind == "baseline":
            continue
        for indicator_id, before in first_before.items():
            after = last_indicator[indicator_id]
            if before != after:
                entry.indicators.append(FieldChange("Indicateur", before or EMPTY, after or EMPTY))

    journal = sorted(entries.values(), key=lambda entry: entry.date, reverse=True)
    # One baseline entry, the dossier's: its lines' and indicators' own say nothing more.
    journal = [
        entry
        for entry in journal
        if not entry.is_empty and not (entry.kind == "baseline" and entry.version is None)
    ]
    if after_version is not None:
        journal = [entry for entry in journal if entry.version is not None and entry.version > after_version]
    return journal


def last_change(project_id: int):
    """The dossier's latest record in its audit trail (who saved it last, when), or None."""
    return (
        Project.history.filter(id=project_id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )

"""The other models' foreign keys to a funding line, which decide what an import may do with a
dossier's lines: a `SET_NULL` link (a scenario's line, a funder's decision) outlives the line it
points to; a `PROTECT` link (a payment) keeps the import from replacing the line at all."""

from django.db.models import PROTECT, SET_NULL

from projects.models import FundingLine


def _reverse_links() -> list:
    return [
        field
        for field in FundingLine._meta.get_fields()
        if field.one_to_many and field.auto_created and not field.concrete
    ]


def links_to_lines() -> list:
    """The foreign keys of other models to a funding line (their reverse relations) that are
    `on_delete=SET_NULL`: a row that records something of a line (a scenario's line, a funder's
    decision) outlives it."""
    return [field for field in _reverse_links() if field.on_delete is SET_NULL]


def protecting_links() -> list:
    """The foreign keys to a funding line that protect it (`on_delete=PROTECT`: a payment): a
    line they point to is never replaced by an import (projects.imports.planning refuses it)."""
    return [field for field in _reverse_links() if field.on_delete is PROTECT]


def protected_projects(project_ids) -> set[int]:
    """The dossiers among `project_ids` that have a line a protecting row points to (one query
    per protecting link)."""
    found: set[int] = set()
    for link in protecting_links():
        found |= set(
            link.related_model._base_manager.filter(
                **{f"{link.field.name}__project_id__in": list(project_ids)}
            ).values_list(f"{link.field.name}__project_id", flat=True)
        )
    return found

"""Reads of the pieces: the checklist that applies to a year, one dossier's pieces against it,
and the dossiers that miss pieces (for the dossier list's filter).

A year uses its own checklist when the direction made one, the default list otherwise. A piece
counts as received when a current (neither withdrawn nor replaced) file of its type is in the
dossier and not in quarantine; a file stored while the antivirus was off counts."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.models import OperatorKind, Project

from .models import Checklist, Document, PieceType, RequiredPiece


def checklist_for_year(year: int | None) -> Checklist | None:
    """The checklist that applies to `year`: its own, else the default one (None if neither)."""
    lists = {checklist.year: checklist for checklist in Checklist.objects.filter(Q(year=year) | Q(year=None))}
    return lists.get(year) or lists.get(None)


def required_by_kind(checklist: Checklist | None) -> dict[str, list[str]]:
    """Porteur type → the piece codes it must provide, in the vocabulary's order."""
    order = {code: rank for rank, code in enumerate(PieceType.values)}
    required: dict[str, list[str]] = defaultdict(list)
    if checklist is not None:
        for kind, piece in checklist.pieces.values_list("operator_kind", "piece_type"):
            required[kind].append(piece)
    return {kind: sorted(pieces, key=order.__getitem__) for kind, pieces in required.items()}


def required_pieces(*, year: int, operator_kind: str) -> list[str]:
    return required_by_kind(checklist_for_year(year)).get(operator_kind, [])


@dataclass
class PieceRow:
    piece_type: str
    label: str
    required: bool
    documents: list[Document] = field(default_factory=list)

    @property
    def received(self) -> bool:
        return any(not document.in_quarantine for document in self.documents)


@dataclass
class ProjectPieces:
    project: Project
    checklist: Checklist | None
    required: list[PieceRow]
    others: list[PieceRow]
    history: list[Document]

    @property
    def missing(self) -> list[PieceRow]:
        return [row for row in self.required if not row.received]

    @property
    def received_count(self) -> int:
        return sum(1 for row in self.required if row.received)

    @property
    def current_documents(self) -> list[Document]:
        return [document for row in self.required + self.others for document in row.documents]


def project_pieces(project: Project) -> ProjectPieces:
    """The dossier's pieces: each required piece with its current files, the other current files
    by type, and the withdrawn or replaced files (most recent first)."""
    checklist = checklist_for_year(project.year_id)
    required = required_by_kind(checklist).get(project.operator.kind, [])
    documents = list(
        Document.objects.filter(project=project)
        .select_related("uploaded_by", "deleted_by", "replaced_by")
        .order_by("-uploaded_at", "-pk")
    )
    current: dict[str, list[Document]] = defaultdict(list)
    history = []
    for document in documents:
        if document.is_current:
            current[document.piece_type].append(document)
        else:
            history.append(document)
    labels = dict(PieceType.choices)
    required_rows = [PieceRow(code, labels[code], True, current.get(code, [])) for code in required]
    other_rows = [
        PieceRow(code, labels[code], False, current[code])
        for code in PieceType.values
        if code not in required and current.get(code)
    ]
    history.sort(key=lambda document: (document.deleted_at, document.pk), reverse=True)
    return ProjectPieces(project, checklist, required_rows, other_rows, history)


def _missing_condition(required: dict[str, list[str]]) -> Q:
    """Dossiers whose porteur's type requires a piece of which no received file is in the dossier."""
    received = Document.objects.received().filter(project=OuterRef("pk"))
    condition = Q(pk__in=[])
    for kind, pieces in required.items():
        if not pieces:
            continue
        lacks_one = Q(pk__in=[])
        for piece in pieces:
            lacks_one |= ~Exists(received.filter(piece_type=piece))
        condition |= Q(operator__kind=kind) & lacks_one
    return condition


def projects_with_missing_pieces(queryset: QuerySet[Project], year: int | None = None) -> QuerySet[Project]:
    """The dossiers of `queryset` that miss at least one required piece.

    With `year`, only that year's dossiers, judged by that year's checklist; without, each dossier
    by the checklist of its own year. One query, whatever the number of dossiers."""
    if year is not None:
        return queryset.filter(year_id=year).filter(
            _missing_condition(required_by_kind(checklist_for_year(year)))
        )
    checklists = list(Checklist.objects.prefetch_related("pieces"))
    default = next((checklist for checklist in checklists if checklist.year is None), None)
    own_years = [checklist.year for checklist in checklists if checklist.year is not None]
    condition = ~Q(year_id__in=own_years) & _missing_condition(_required(default))
    for checklist in checklists:
        if checklist.year is not None:
            condition |= Q(year_id=checklist.year) & _missing_condition(_required(checklist))
    return queryset.filter(condition)


def _required(checklist: Checklist | None) -> dict[str, list[str]]:
    """required_by_kind from prefetched pieces."""
    required: dict[str, list[str]] = defaultdict(list)
    if checklist is not None:
        for piece in checklist.pieces.all():
            required[piece.operator_kind].append(piece.piece_type)
    return dict(required)


def checklist_grid(checklist: Checklist | None) -> list[dict]:
    """For the checklist's page: one row per piece, one cell per porteur type (checked or not)."""
    chosen = set()
    if checklist is not None:
        chosen = set(
            RequiredPiece.objects.filter(checklist=checklist).values_list("operator_kind", "piece_type")
        )
    return [
        {
            "code": code,
            "label": label,
            "cells": [
                {"kind": kind, "kind_label": kind_label, "checked": (kind, code) in chosen}
                for kind, kind_label in OperatorKind.choices
            ],
        }
        for code, label in PieceType.choices
    ]

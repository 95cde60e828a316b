"""Synthetic, realistic programmes at national scale, for benchmarks (docs/contracts.md §7).

Everything is written in bulk; a seed makes the data reproducible. Distributions follow the
demonstration programme: about two thirds of the credits on cohésion sociale, ~60 % of the
dossiers carried by associations, about five funding lines a dossier, operators reused across
years, one to three quartiers a dossier."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from projects.models import (
    Commune,
    Funder,
    FundingLine,
    Operator,
    OperatorKind,
    Pillar,
    ProgrammeYear,
    Project,
    Quartier,
    QuartierKind,
    Status,
    Theme,
)
from projects.validators import luhn_is_valid

BATCH = 5000
PILLAR_WEIGHTS = {"cohesion_sociale": 62, "emploi": 22, "cadre_de_vie": 11, "pilotage": 5}
KIND_WEIGHTS = {
    OperatorKind.ASSOCIATION: 60,
    OperatorKind.COMMUNE: 14,
    OperatorKind.ETABLISSEMENT_PUBLIC: 10,
    OperatorKind.EPCI: 4,
    OperatorKind.BAILLEUR: 5,
    OperatorKind.ENTREPRISE: 4,
    OperatorKind.AUTRE: 3,
}
PAST_STATUS_WEIGHTS = {
    Status.SOLDE: 55,
    Status.JUSTIFIE: 22,
    Status.PROGRAMME: 6,
    Status.REFUSE: 10,
    Status.ABANDONNE: 4,
    Status.BROUILLON: 3,
}
CURRENT_STATUS_WEIGHTS = {
    Status.BROUILLON: 8,
    Status.DEPOSE: 20,
    Status.EN_INSTRUCTION: 25,
    Status.PROGRAMME: 35,
    Status.REFUSE: 8,
    Status.ABANDONNE: 4,
}
ACTIONS = [
    "Accompagnement à la scolarité",
    "Ateliers sociolinguistiques",
    "Chantier d'insertion",
    "Médiation sociale",
    "Jardins partagés",
    "Permanence d'accès aux droits",
    "Sport santé",
    "Coup de pouce clé",
    "Ateliers parentalité",
    "Plateforme mobilité",
    "Gestion urbaine de proximité",
    "Inclusion numérique",
    "Prévention santé",
    "Découverte des métiers",
    "Fête de quartier",
    "Théâtre forum",
    "Aide aux devoirs",
    "Café des parents",
]
ASSOCIATION_WORDS = [
    "Les Ateliers",
    "Avenir",
    "Horizons",
    "Le Lien",
    "Solidarité",
    "Les Jardins",
    "Passerelle",
    "Élan",
    "Trait d'union",
    "La Clé",
    "Mosaïque",
    "Cap Emploi",
]


@dataclass
class ScaleReport:
    years: list[int]
    projects: int = 0
    lines: int = 0
    operators: int = 0
    quartiers: int = 0


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _siret(rng: random.Random, taken: set[str]) -> str:
    while True:
        digits = f"{rng.randrange(10**13, 10**14)}"
        if digits not in taken and not digits.startswith("356000000") and luhn_is_valid(digits):
            taken.add(digits)
            return digits


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    # Log-uniform: many small grants, a few large ones, as in a real programmation.
    value = int(low * (high / low) ** rng.random())
    return Decimal(value - value % 50 or 50).quantize(Decimal("0.01"))


def generate_scale_data(
    *, dossiers_per_year: int, years: int, seed: int = 0, progress: Callable[[str], None] = lambda _: None
) -> ScaleReport:
    rng = random.Random(seed)
    last_year = timezone.localdate().year
    year_list = list(range(last_year - years + 1, last_year + 1))
    report = ScaleReport(years=year_list)

    pillars = {p.code: p for p in Pillar.objects.all()}
    themes_by_pillar: dict[int, list[Theme]] = {}
    for theme in Theme.objects.all():
        themes_by_pillar.setdefault(theme.pillar_id, []).append(theme)
    funders = {f.code: f for f in Funder.objects.all()}
    communes = list(Commune.objects.all())

    with transaction.atomic():
        quartiers = list(Quartier.objects.values_list("pk", flat=True))
        # A national programme follows ~1,500 QPV: add synthetic ones, tied to existing communes.
        wanted = min(1500, max(len(quartiers), dossiers_per_year // 20))
        start = Quartier.objects.filter(local_code__startswith="SYN").count()
        new_quartiers = [
            Quartier(kind=QuartierKind.QPV, name=f"Quartier synthétique {n}", local_code=f"SYN{n:05d}")
            for n in range(start + 1, start + 1 + max(0, wanted - len(quartiers)))
        ]
        Quartier.objects.bulk_create(new_quartiers, batch_size=BATCH)
        if new_quartiers and communes:
            Through = Quartier.communes.through
            Through.objects.bulk_create(
                [Through(quartier_id=q.pk, commune_id=rng.choice(communes).pk) for q in new_quartiers],
                batch_size=BATCH,
            )
        quartiers += [q.pk for q in new_quartiers]
        report.quartiers = len(new_quartiers)

        operator_count = max(10, dossiers_per_year // 3)
        operators = []
        taken_sirets = set(Operator.objects.exclude(siret="").values_list("siret", flat=True))
        for n in range(operator_count):
            kind = _weighted(rng, KIND_WEIGHTS)
            if kind == OperatorKind.ASSOCIATION:
                name = f"Association {rng.choice(ASSOCIATION_WORDS)} {n + 1}"
            elif kind == OperatorKind.COMMUNE and communes:
                name = f"Ville de {rng.choice(communes).name} ({n + 1})"
            else:
                name = f"{OperatorKind(kind).label} synthétique {n + 1}"
            operators.append(
                Operator(name=name, kind=kind, siret=_siret(rng, taken_sirets) if rng.random() < 0.35 else "")
            )
        Operator.objects.bulk_create(operators, batch_size=BATCH)
        report.operators = len(operators)
        progress(f"{len(operators)} porteurs, {len(new_quartiers)} quartiers synthétiques créés")

        funder_codes = [code for code in funders if code not in {"anct", "cabbalr_fcs"}]
        priority = [t for t in Theme.objects.filter(code__in=["1.1", "1.5", "2.1"])]
        for year in year_list:
            programme_year, _ = ProgrammeYear.objects.get_or_create(
                year=year, defaults={"fcs_envelope": Decimal(dossiers_per_year * 650)}
            )
            if not programme_year.priority_themes.exists():
                programme_year.priority_themes.set(priority)
            statuses = CURRENT_STATUS_WEIGHTS if year == last_year else PAST_STATUS_WEIGHTS
            existing = Project.objects.filter(year_id=year, reference__startswith="S").count()
            projects = []
            for n in range(existing + 1, existing + 1 + dossiers_per_year):
                pillar_code = _weighted(rng, PILLAR_WEIGHTS)
                theme = rng.choice(themes_by_pillar[pillars[pillar_code].pk])
                operator = rng.choice(operators)
                projects.append(
                    Project(
                        year_id=year,
                        reference=f"S{year}-{n:06d}",
                        title=f"{rng.choice(ACTIONS)} n° {n}",
                        description="Dossier synthétique généré pour les mesures de performance.",
                        operator=operator,
                        pillar=pillars[pillar_code],
                        theme=theme,
                        status=_weighted(rng, statuses),
                        budget=None,
                        is_synthetic=True,
                    )
                )
            Project.objects.bulk_create(projects, batch_size=BATCH)

            Through = Project.quartiers.through
            Through.objects.bulk_create(
                [
                    Through(project_id=project.pk, quartier_id=quartier)
                    for project in projects
                    for quartier in rng.sample(quartiers, k=min(len(quartiers), rng.choice([1, 1, 2, 2, 3])))
                ],
                batch_size=BATCH,
            )

            lines = []
            for project in projects:
                decided = project.status in Status.programmed()
                codes = rng.sample(funder_codes, k=rng.choice([3, 3, 4, 4, 5]))
                if rng.random() < 0.88:
                    codes.insert(0, "anct")
                if project.operator.kind == OperatorKind.ASSOCIATION and rng.random() < 0.15:
                    codes.append("cabbalr_fcs")
                total = Decimal("0.00")
                for position, code in enumerate(codes, start=1):
                    if code == "anct":
                        requested = _amount(rng, 5000, 90000)
                    elif code == "cabbalr_fcs":
                        requested = _amount(rng, 1000, 8000)
                    else:
                        requested = _amount(rng, 500, 25000)
                    granted = None
                    if decided:
                        granted = (
                            requested
                            if rng.random() < 0.6
                            else (requested * Decimal("0.8")).quantize(Decimal("0.01"))
                        )
                    total += requested
                    lines.append(
                        FundingLine(
                            project_id=project.pk,
                            funder_id=funders[code].pk,
                            nature=funders[code].default_nature,
                            amount_requested=requested,
                            amount_granted=granted,
                            position=position,
                        )
                    )
                project.budget = total
            FundingLine.objects.bulk_create(lines, batch_size=BATCH)
            Project.objects.bulk_update(projects, ["budget"], batch_size=BATCH)
            report.projects += len(projects)
            report.lines += len(lines)
            progress(f"{year} : {len(projects)} dossiers, {len(lines)} lignes de financement")
    analyze(progress)
    return report


ANALYZED_TABLES = [Project, FundingLine, Project.quartiers.through, Operator, Quartier]


def analyze(progress: Callable[[str], None] = lambda _: None) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL): without them the planner guesses
    the new rows' numbers and picks slow plans. Outside a transaction, VACUUM too, so that the
    covering indexes are read alone (index-only scans need the visibility map)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in ANALYZED_TABLES)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")
    progress(f"{command} : statistiques du planificateur à jour")

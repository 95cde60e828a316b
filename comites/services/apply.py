"""Applying a comité's decision: the funders' decisions on each line, the granted amounts and
each dossier's move through the workflow, in one transaction."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from projects.models import FundingLine, Project, Status
from projects.services import DECIDE_PERMISSION, project_change_status

from .. import selectors
from ..models import (
    Decision,
    FundingDecision,
    Opinion,
    Scenario,
    ScenarioLine,
    ScenarioOpinion,
    Seance,
    SeanceState,
)

APPLY_PERMISSION = "comites.apply_scenario"


# Applying a comité's decision ----------------------------------------------------------------


@dataclass
class ApplyResult:
    programmed: list[Project] = field(default_factory=list)
    refused: list[Project] = field(default_factory=list)
    postponed: list[Project] = field(default_factory=list)
    decisions: int = 0


class ScenarioChangedError(ValidationError):
    """The agenda or its dossiers changed since the scenario was built: `differences` lists
    them, in French."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        super().__init__(
            [
                "Le scénario ne correspond plus à l'ordre du jour et aux dossiers : mettez-le à jour, "
                "vérifiez-le, puis appliquez-le.",
                *differences,
            ]
        )


def _line_decision(opinion: str, proposed: Decimal | None) -> tuple[str, Decimal | None]:
    """A funder's decision on its line, and the amount then granted (None: left as it is)."""
    if opinion == Opinion.DEFAVORABLE:
        return Decision.REFUSE, Decimal("0.00")
    if opinion == Opinion.AJOURNE:
        return Decision.EN_ATTENTE, None
    if proposed is None:
        return Decision.EN_ATTENTE, None
    if proposed == 0:
        return Decision.REFUSE, Decimal("0.00")
    return Decision.ACCORDE, proposed


@transaction.atomic
def scenario_apply(*, scenario: Scenario, user: AbstractBaseUser) -> ApplyResult:
    """Apply a scenario: the comité's decision. The direction only, once the séance is held,
    once per séance, and only a scenario that matches the agenda and its dossiers as they are.

    Each funding line gets its funder's decision (accordé, refusé, en attente) and its granted
    amount; each dossier moves through the workflow (`project_change_status`) with the séance's
    date as its decision date: favourable → programmé, défavorable → refusé, ajourné → left in
    instruction (a dossier only déposé is put in instruction first). The history records who
    and which comité. The séance's other scenarios are frozen. All in one transaction."""
    if not (user.has_perm(APPLY_PERMISSION) and user.has_perm(DECIDE_PERMISSION)):
        raise PermissionDenied("Seule la direction applique la décision d'un comité.")

    seance = Seance.objects.select_for_update().get(pk=scenario.seance_id)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario.seance = seance
    applied = seance.scenarios.filter(applied_at__isnull=False).first()
    if applied is not None:
        raise ValidationError(
            f"La décision de cette séance a déjà été appliquée (scénario « {applied.name} », le "
            f"{timezone.localtime(applied.applied_at):%d/%m/%Y à %H:%M}) : elle ne s'applique qu'une fois."
        )
    if seance.state != SeanceState.TENU:
        raise ValidationError(
            "La décision s'applique une fois le comité tenu : la séance est "
            f"« {SeanceState(seance.state).label.lower()} »."
        )
    if scenario.frozen:
        raise ValidationError(f"Le scénario « {scenario.name} » est figé : dupliquez-le pour l'appliquer.")
    differences = selectors.scenario_differences(scenario)
    if differences:
        raise ScenarioChangedError(differences)

    label = seance.label
    now = timezone.now()
    rows = list(
        ScenarioOpinion.objects.filter(scenario=scenario).select_related("project").order_by("project_id")
    )
    lines_of: dict[int, list[ScenarioLine]] = defaultdict(list)
    for line in ScenarioLine.objects.filter(scenario=scenario).select_related("funding_line").order_by("id"):
        lines_of[line.project_id].append(line)

    decisions, granted = [], []
    for row in rows:
        for line in lines_of[row.project_id]:
            decision, amount = _line_decision(row.opinion, line.proposed)
            decisions.append(
                FundingDecision(
                    seance=seance,
                    scenario=scenario,
                    funding_line=line.funding_line,
                    project_id=row.project_id,
                    funder_id=line.funder_id,
                    decision=decision,
                    amount=amount if decision != Decision.EN_ATTENTE else None,
                    decided_on=seance.date,
                    decided_by=user,
                )
            )
            if amount is not None or (row.opinion == Opinion.FAVORABLE and line.proposed is None):
                funding_line = line.funding_line
                if funding_line.amount_granted != amount:
                    funding_line.amount_granted = amount
                    granted.append(funding_line)
    if granted:
        bulk_update_with_history(
            granted,
            FundingLine,
            ["amount_granted"],
            default_user=user,
            default_change_reason=f"Décision du comité : {label}",
            default_date=now,
        )
    FundingDecision.objects.bulk_create(decisions)

    result = ApplyResult(decisions=len(decisions))
    targets = {Opinion.FAVORABLE: Status.PROGRAMME, Opinion.DEFAVORABLE: Status.REFUSE}
    for row in rows:
        project = row.project
        verdict = Opinion(row.opinion).label.lower()
        comment = f"{label} : avis {verdict}" + (f" — {row.comment}" if row.comment else "")
        comment = comment[:255]
        if project.status == Status.DEPOSE:
            project_change_status(
                project=project, to_status=Status.EN_INSTRUCTION, user=user, comment=comment
            )
        target = targets.get(row.opinion)
        if target is None:
            result.postponed.append(project)
            continue
        project_change_status(
            project=project, to_status=target, user=user, decision_date=seance.date, comment=comment
        )
        (result.programmed if target == Status.PROGRAMME else result.refused).append(project)

    scenario.applied_at, scenario.applied_by, scenario.frozen = now, user, True
    try:
        scenario.save(update_fields=["applied_at", "applied_by", "frozen", "updated_at"])
    except IntegrityError as error:  # pragma: no cover - the séance's lock above prevents it
        raise ValidationError("La décision de cette séance a déjà été appliquée.") from error
    Scenario.objects.filter(seance=seance).exclude(pk=scenario.pk).update(frozen=True)
    return result

"""Applying a comité's decision: the direction only, once the séance is held, once, a scenario
that still matches its dossiers; amounts, a decision per funding line and the dossiers' moves
through the workflow, in one transaction."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comites.models import Decision, FundingDecision, Opinion, Scenario, ScenarioLine, SeanceState
from comites.services import (
    ScenarioChangedError,
    scenario_apply,
    scenario_cell_update,
    scenario_duplicate,
    scenario_opinion_update,
    seance_change_state,
)
from projects.models import FundingLine, Project, StatusChange
from reports.selectors import bilan_as_json
from tests.comites.conftest import COMITE_DATE

pytestmark = pytest.mark.django_db


def line_of(scenario, project, code="anct") -> ScenarioLine:
    return ScenarioLine.objects.get(scenario=scenario, project=project, funder__code=code)


def granted(project, code) -> Decimal | None:
    return FundingLine.objects.get(project=project, funder__code=code).amount_granted


@pytest.fixture
def decided(scenario, programme):
    """A: ANCT 8 000 (of 10 000), FCS refused (0); B: unfavourable; C: postponed."""
    a, b, c = programme["a"], programme["b"], programme["c"]
    version = scenario_cell_update(
        scenario=scenario, line_id=line_of(scenario, a).pk, raw_amount="8000", version=1
    )
    scenario_cell_update(
        scenario=scenario,
        line_id=line_of(scenario, a, "cabbalr_fcs").pk,
        raw_amount="0",
        version=version.version,
    )
    scenario_opinion_update(
        scenario=scenario, project=b, opinion=Opinion.DEFAVORABLE, comment="Hors cadre", version=1
    )
    scenario_opinion_update(scenario=scenario, project=c, opinion=Opinion.AJOURNE, comment="", version=1)
    seance_change_state(seance=scenario.seance, state=SeanceState.TENU)
    return scenario


def test_the_decision_is_written_line_by_line_and_dossier_by_dossier(decided, programme, direction):
    other = scenario_duplicate(scenario=decided, name="Autre hypothèse")
    result = scenario_apply(scenario=decided, user=direction)

    a, b, c = (Project.objects.get(pk=programme[k].pk) for k in "abc")
    assert (a.status, a.decision_date) == ("programme", COMITE_DATE)
    assert (b.status, b.decision_date) == ("refuse", COMITE_DATE)
    # Postponed: still to decide, and a dossier only déposé is now in instruction.
    assert c.status == "en_instruction" and c.decision_date is None
    assert (result.programmed, result.refused, result.postponed) == ([a], [b], [c])

    assert granted(a, "anct") == Decimal("8000.00")
    assert granted(a, "cabbalr_fcs") == Decimal("0.00")
    assert granted(b, "anct") == Decimal("0.00") and granted(b, "caf") == Decimal("0.00")
    assert granted(c, "region") is None

    decisions = {
        (d.project.reference, d.funder.code): (d.decision, d.amount, d.decided_on, d.decided_by)
        for d in FundingDecision.objects.select_related("project", "funder")
    }
    assert decisions == {
        ("A-1", "anct"): (Decision.ACCORDE, Decimal("8000.00"), COMITE_DATE, direction),
        ("A-1", "cabbalr_fcs"): (Decision.REFUSE, Decimal("0.00"), COMITE_DATE, direction),
        ("B-2", "anct"): (Decision.REFUSE, Decimal("0.00"), COMITE_DATE, direction),
        ("B-2", "caf"): (Decision.REFUSE, Decimal("0.00"), COMITE_DATE, direction),
        ("C-3", "region"): (Decision.EN_ATTENTE, None, COMITE_DATE, direction),
    }
    decided.refresh_from_db()
    other.refresh_from_db()
    assert decided.applied_by == direction and decided.frozen
    assert other.frozen and other.applied_at is None


def test_the_history_says_who_and_which_comite(decided, programme, direction):
    scenario_apply(scenario=decided, user=direction)
    change = StatusChange.objects.get(project=programme["a"], to_status="programme")
    assert change.changed_by == direction
    assert change.comment == "Comité de programmation du 4 mars 2021 : avis favorable"
    refusal = StatusChange.objects.get(project=programme["b"], to_status="refuse")
    assert refusal.comment == "Comité de programmation du 4 mars 2021 : avis défavorable — Hors cadre"
    record = FundingLine.objects.get(project=programme["a"], funder__code="anct").history.first()
    assert record.history_user == direction
    assert record.history_change_reason == "Décision du comité : Comité de programmation du 4 mars 2021"


def test_the_bilan_counts_the_decision(decided, programme, direction):
    before = Decimal(bilan_as_json(2021)["total"])
    scenario_apply(scenario=decided, user=direction)
    assert Decimal(bilan_as_json(2021)["total"]) == before + Decimal("8000.00")


def test_a_funder_may_leave_its_line_pending_while_others_grant(scenario, programme, direction):
    a = programme["a"]
    scenario_cell_update(
        scenario=scenario, line_id=line_of(scenario, a, "cabbalr_fcs").pk, raw_amount="", version=1
    )
    seance_change_state(seance=scenario.seance, state=SeanceState.TENU)
    scenario_apply(scenario=scenario, user=direction)
    assert Project.objects.get(pk=a.pk).status == "programme"
    assert granted(a, "anct") == Decimal("10000.00")
    assert granted(a, "cabbalr_fcs") is None
    assert FundingDecision.objects.get(project=a, funder__code="cabbalr_fcs").decision == Decision.EN_ATTENTE


def test_only_the_direction_applies(decided, agent):
    with pytest.raises(PermissionDenied):
        scenario_apply(scenario=decided, user=agent)
    assert not FundingDecision.objects.exists()


def test_the_seance_must_be_held(scenario, direction):
    with pytest.raises(ValidationError) as error:
        scenario_apply(scenario=scenario, user=direction)
    assert error.value.messages == [
        "La décision s'applique une fois le comité tenu : la séance est « en préparation »."
    ]


def test_a_decision_is_applied_once(decided, direction):
    other = scenario_duplicate(scenario=decided, name="Autre")
    scenario_apply(scenario=decided, user=direction)
    for attempt in (decided, other):
        with pytest.raises(ValidationError) as error:
            scenario_apply(scenario=attempt, user=direction)
        assert "a déjà été appliquée (scénario « Hypothèse haute »" in error.value.messages[0]
    assert FundingDecision.objects.count() == 5
    assert Scenario.objects.filter(applied_at__isnull=False).count() == 1


def test_a_scenario_whose_dossiers_changed_is_refused_with_the_differences(decided, programme, direction):
    FundingLine.objects.filter(project=programme["a"], funder__code="anct").update(
        amount_requested=Decimal("9999")
    )
    before = list(FundingLine.objects.order_by("pk").values_list("amount_granted", flat=True))

    with pytest.raises(ScenarioChangedError) as error:
        scenario_apply(scenario=decided, user=direction)

    assert error.value.messages[1] == (
        "Dossier A-1 « Action A-1 » : le montant demandé à « État – ANCT crédits politique de la ville » est passé "
        "de 10\u00a0000,00\u00a0€ à 9\u00a0999,00\u00a0€."
    )
    assert list(FundingLine.objects.order_by("pk").values_list("amount_granted", flat=True)) == before
    assert not FundingDecision.objects.exists()
    assert Project.objects.get(pk=programme["a"].pk).status == "en_instruction"


def test_a_failure_halfway_writes_nothing(decided, programme, direction, monkeypatch):
    """B's refusal fails, after A was programmed: the amounts and moves before it are rolled back."""
    from comites.services import apply

    real = apply.project_change_status

    def failing(*, project, to_status, **kwargs):
        if project.reference == "B-2" and to_status == "refuse":
            raise ValidationError("panne simulée")
        return real(project=project, to_status=to_status, **kwargs)

    monkeypatch.setattr(apply, "project_change_status", failing)
    with pytest.raises(ValidationError):
        scenario_apply(scenario=decided, user=direction)
    assert Project.objects.get(pk=programme["a"].pk).status == "en_instruction"
    assert Project.objects.get(pk=programme["b"].pk).status == "depose"
    assert granted(programme["a"], "anct") is None
    assert (
        not StatusChange.objects.filter(project__in=[programme["a"], programme["b"]])
        .exclude(from_status="")
        .filter(to_status__in=["programme", "en_instruction"])
        .exists()
    )
    assert not FundingDecision.objects.exists()
    decided.refresh_from_db()
    assert decided.applied_at is None

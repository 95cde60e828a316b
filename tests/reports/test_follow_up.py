"""The agents' follow-up page (`/suivi/`): comptes-rendus late, payments due this month or late,
dossiers long in instruction (threshold configurable, CSV), dossiers missing pieces; and the
dossier filter `compte_rendu=en_retard` it links to."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.compte_rendu_services import late_compte_rendu_projects
from funding.models import PaymentKind
from funding.payment_selectors import month_bounds
from funding.payment_services import payment_add
from projects.models import Status, StatusChange
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    complete_compte_rendu,
    funder,
)

pytestmark = pytest.mark.django_db


def dossier(reference, year, status, **kwargs):
    return ProjectFactory(
        reference=reference,
        year=ProgrammeYearFactory(year=year),
        status=status,
        operator=OperatorFactory(name=f"Porteur {reference}", kind="commune"),
        **kwargs,
    )


def test_which_comptes_rendus_are_late():
    late = dossier("EN-RETARD", 2021, Status.PROGRAMME)
    complete_compte_rendu(dossier("COMPLET", 2021, Status.PROGRAMME))
    dossier("JUSTIFIE", 2021, Status.JUSTIFIE)
    dossier("PAS-ENCORE", 2025, Status.PROGRAMME)  # due on 30 June 2026
    assert list(late_compte_rendu_projects(datetime.date(2026, 6, 30))) == [late]
    due_2025 = sorted(p.reference for p in late_compte_rendu_projects(datetime.date(2026, 7, 1)))
    assert due_2025 == ["EN-RETARD", "PAS-ENCORE"]


@pytest.fixture
def programme(agent):
    today = timezone.localdate()
    late_cr = dossier("CR-RETARD", 2021, Status.PROGRAMME, decision_date=datetime.date(2021, 3, 4))
    line = FundingLineFactory(project=late_cr, funder=funder("cabbalr_fcs"), amount_requested=Decimal("5000"),
                              amount_granted=Decimal("5000"))  # fmt: skip
    payment_add(line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=datetime.date(2021, 4, 1),
                planned_amount=Decimal("1000"))  # fmt: skip
    payment_add(line=line, user=agent, kind=PaymentKind.SOLDE, planned_on=month_bounds(today)[1],
                planned_amount=Decimal("2500.50"))  # fmt: skip
    old = dossier("INSTR-ANCIENNE", 2026, Status.EN_INSTRUCTION)
    StatusChange.objects.create(project=old, from_status=Status.DEPOSE, to_status=Status.EN_INSTRUCTION,
                                changed_by=agent)  # fmt: skip
    StatusChange.objects.filter(project=old).update(changed_at=timezone.now() - datetime.timedelta(days=90))
    recent = dossier("INSTR-RECENTE", 2026, Status.EN_INSTRUCTION)
    StatusChange.objects.create(project=recent, from_status=Status.DEPOSE, to_status=Status.EN_INSTRUCTION,
                                changed_by=agent)  # fmt: skip
    StatusChange.objects.filter(project=recent).update(
        changed_at=timezone.now() - datetime.timedelta(days=10)
    )
    return {"late_cr": late_cr, "old": old, "recent": recent}


def count(page, name) -> int:
    import re

    match = re.search(rf'data-count="{name}">(\d+)<', page.content.decode())
    return int(match.group(1))


def test_the_page_counts_and_lists_what_needs_doing(agent_client, programme):
    page = agent_client.get("/suivi/")
    assert page.status_code == 200
    data = page.context["data"]
    assert count(page, "comptes-rendus") == 1 and data.late_comptes_rendus.projects == [programme["late_cr"]]
    assert (count(page, "versements-retard"), data.payments_late.amount) == (1, Decimal("1000.00"))
    assert (count(page, "versements-mois"), data.payments_due.amount) == (1, Decimal("2500.50"))
    assert count(page, "instruction") == 1 and data.long_instruction.projects == [programme["old"]]
    # The commune dossiers miss their budget prévisionnel (the default checklist).
    assert count(page, "pieces") == 3

    page = agent_client.get("/suivi/?jours=5")
    assert [p.reference for p in page.context["data"].long_instruction.projects] == [
        "INSTR-ANCIENNE",
        "INSTR-RECENTE",
    ]


def test_a_bad_threshold_is_a_french_error(agent_client, programme):
    page = agent_client.get("/suivi/?jours=beaucoup")
    assert page.status_code == 400
    assert page.context["days_error"] == "« beaucoup » n'est pas un nombre de jours (entre 0 et 3650)."
    assert page.context["data"].instruction_days == 60


def test_the_long_instruction_list_as_csv(agent_client, programme):
    response = agent_client.get("/suivi/?jours=30&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["annee", "numero_dossier", "intitule", "porteur", "en_instruction_depuis"]
    assert [row[1] for row in rows[1:]] == ["INSTR-ANCIENNE"]
    assert rows[1][4] == (timezone.localdate() - datetime.timedelta(days=90)).isoformat()


def test_the_late_comptes_rendus_filter_the_dossier_list(agent_client, programme):
    response = agent_client.get("/projets/?compte_rendu=en_retard")
    assert [p.reference for p in response.context["page"].object_list] == ["CR-RETARD"]


def test_the_comite_has_no_follow_up(comite_client):
    assert comite_client.get("/suivi/").status_code == 403
    page = comite_client.get("/tableau-de-bord/?annee=2021&compte_rendu=en_retard")
    assert page.context["filter_errors"] == [
        "Compte-rendu financier : le filtre « Compte-rendu en retard » n'est pas ouvert à votre rôle."
    ]

"""Payments (versements) of the lines the agglomeration pays: the schedule, the rules (never above
the granted amount, never before the decision, nothing paid in the future, versions), the move to
`solde` (its page, the bulk action, the import), the dossier's page and the payments list with its
filters, totals and export."""

import csv
import datetime
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from funding.models import Payment, PaymentKind, PaymentState
from funding.payment_selectors import month_bounds
from funding.payment_services import (
    Schedule,
    StalePaymentError,
    payment_add,
    payment_cancel,
    payment_record,
    schedule_create,
)
from projects.imports.service import programmation_import
from projects.models import Status
from projects.services import project_change_status
from tests.factories import (
    FundingLineFactory,
    OperatorFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    complete_compte_rendu,
    funder,
)

pytestmark = pytest.mark.django_db

DECIDED = datetime.date(2021, 3, 4)
NBSP = "\u00a0"


@pytest.fixture
def dossier():
    project = ProjectFactory(
        reference="PV2021-001",
        year=ProgrammeYearFactory(year=2021),
        operator=OperatorFactory(name="Association Élan"),
        status=Status.PROGRAMME,
        decision_date=DECIDED,
    )
    FundingLineFactory(project=project, funder=funder("cabbalr_fcs"), amount_requested=Decimal("5000"),
                       amount_granted=Decimal("4000.00"), position=1)  # fmt: skip
    FundingLineFactory(project=project, funder=funder("anct"), amount_requested=Decimal("9000"),
                       amount_granted=Decimal("8000.00"), position=2)  # fmt: skip
    return project


def fcs(project):
    return project.funding_lines.get(funder__code="cabbalr_fcs")


def messages_of(error: ValidationError) -> list[str]:
    return (
        [message for messages in error.message_dict.values() for message in messages]
        if hasattr(error, "error_dict")
        else error.messages
    )


# The schedule and its rules ------------------------------------------------------------------


def test_a_schedule_of_an_advance_and_the_balance_adds_up_to_the_granted_amount(dossier, agent):
    line = fcs(dossier)
    payments = schedule_create(
        line=line,
        user=agent,
        schedule=Schedule(advance_on=datetime.date(2021, 4, 1), balance_on=datetime.date(2022, 3, 1),
                          advance_percent=Decimal("33.3")),
    )  # fmt: skip
    assert [(p.kind, p.planned_on, p.planned_amount) for p in payments] == [
        (PaymentKind.AVANCE, datetime.date(2021, 4, 1), Decimal("1332.00")),
        (PaymentKind.SOLDE, datetime.date(2022, 3, 1), Decimal("2668.00")),
    ]
    assert sum(p.planned_amount for p in payments) == line.amount_granted
    assert payments[0].history.first().history_user == agent


def test_one_payment_of_the_whole_amount_without_percentage(dossier, agent):
    (payment,) = schedule_create(line=fcs(dossier), user=agent, schedule=Schedule(advance_on=DECIDED))
    assert (payment.kind, payment.planned_amount) == (PaymentKind.SOLDE, Decimal("4000.00"))


def test_no_second_schedule(dossier, agent):
    schedule_create(line=fcs(dossier), user=agent, schedule=Schedule(advance_on=DECIDED))
    with pytest.raises(ValidationError) as error:
        schedule_create(line=fcs(dossier), user=agent, schedule=Schedule(advance_on=DECIDED))
    assert messages_of(error.value) == [
        "Cette ligne a déjà des versements prévus ou effectués : ajoutez les suivants un par un."
    ]


def test_payments_never_exceed_the_granted_amount(dossier, agent):
    line = fcs(dossier)
    payment_add(
        line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED, planned_amount=Decimal("3000")
    )
    with pytest.raises(ValidationError) as error:
        payment_add(line=line, user=agent, kind=PaymentKind.SOLDE, planned_on=DECIDED,
                    planned_amount=Decimal("1000.01"))  # fmt: skip
    assert error.value.message_dict["planned_amount"] == [
        f"1{NBSP}000,01{NBSP}€ dépasserait le montant accordé par « {line.funder.label} » "
        f"(4{NBSP}000,00{NBSP}€) : 3{NBSP}000,00{NBSP}€ sont déjà prévus ou versés, il reste 1{NBSP}000,00{NBSP}€."
    ]
    assert Payment.objects.count() == 1
    # A cancelled payment frees its amount.
    payment_cancel(payment=Payment.objects.get(), user=agent, version=1)
    payment_add(
        line=line, user=agent, kind=PaymentKind.SOLDE, planned_on=DECIDED, planned_amount=Decimal("4000")
    )


def test_nothing_before_the_decision_nor_paid_in_the_future(dossier, agent):
    line = fcs(dossier)
    with pytest.raises(ValidationError) as error:
        payment_add(line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=datetime.date(2021, 3, 3),
                    planned_amount=Decimal("10"))  # fmt: skip
    assert error.value.message_dict["planned_on"] == [
        "La date prévue (03/03/2021) ne peut précéder la décision du dossier (04/03/2021)."
    ]
    payment = payment_add(line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                          planned_amount=Decimal("10"))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        payment_record(payment=payment, user=agent, paid_on=datetime.date(2021, 1, 5), paid_amount=Decimal("10"),
                       version=1)  # fmt: skip
    assert error.value.message_dict["paid_on"] == [
        "La date du versement (05/01/2021) ne peut précéder la décision du dossier (04/03/2021)."
    ]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        payment_record(payment=payment, user=agent, paid_on=tomorrow, paid_amount=Decimal("10"), version=1)
    assert error.value.message_dict["paid_on"] == [
        f"La date du versement ({tomorrow:%d/%m/%Y}) est dans le futur."
    ]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PREVU


@pytest.mark.parametrize("status", [Status.EN_INSTRUCTION, Status.REFUSE, Status.SOLDE])
def test_only_a_programmed_or_justified_dossier_is_paid(dossier, agent, status):
    dossier.status = status
    dossier.save()
    with pytest.raises(ValidationError) as error:
        payment_add(line=fcs(dossier), user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                    planned_amount=Decimal("10"))  # fmt: skip
    assert "on ne verse que sur un dossier programmé ou justifié" in messages_of(error.value)[0]


def test_a_stale_or_closed_payment_is_not_changed(dossier, agent):
    payment = payment_add(line=fcs(dossier), user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                          planned_amount=Decimal("100"))  # fmt: skip
    payment_record(payment=payment, user=agent, paid_on=DECIDED, paid_amount=Decimal("90"), version=1)
    with pytest.raises(StalePaymentError):
        payment_cancel(payment=payment, user=agent, version=1)
    with pytest.raises(ValidationError) as error:
        payment_cancel(payment=payment, user=agent, version=2)
    assert messages_of(error.value) == ["Ce versement est déjà versé : il ne change plus."]
    payment.refresh_from_db()
    assert (payment.state, payment.paid_amount, payment.version) == (PaymentState.VERSE, Decimal("90.00"), 2)


# The move to `solde` --------------------------------------------------------------------------


def _pay_in_full(line, user, amounts=("1500", "2500")):
    for kind, amount in zip((PaymentKind.AVANCE, PaymentKind.SOLDE), amounts, strict=True):
        payment = payment_add(
            line=line, user=user, kind=kind, planned_on=DECIDED, planned_amount=Decimal(amount)
        )
        payment_record(payment=payment, user=user, paid_on=DECIDED, paid_amount=Decimal(amount), version=1)


def test_a_dossier_is_solde_once_the_agglomeration_paid_all_it_granted(dossier, agent):
    complete_compte_rendu(dossier, agent)
    project_change_status(project=dossier, to_status=Status.JUSTIFIE, user=agent)
    line = fcs(dossier)
    payment = payment_add(line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                          planned_amount=Decimal("1500"))  # fmt: skip
    payment_record(payment=payment, user=agent, paid_on=DECIDED, paid_amount=Decimal("1500"), version=1)
    with pytest.raises(ValidationError) as error:
        project_change_status(project=dossier, to_status=Status.SOLDE, user=agent)
    assert error.value.messages == [
        "Le dossier ne peut être soldé : ses versements ne sont pas complets "
        f"(« {line.funder.label} » : 1{NBSP}500,00{NBSP}€ versés sur 4{NBSP}000,00{NBSP}€)."
    ]
    payment = payment_add(line=line, user=agent, kind=PaymentKind.SOLDE, planned_on=DECIDED,
                          planned_amount=Decimal("2500"))  # fmt: skip
    payment_record(payment=payment, user=agent, paid_on=DECIDED, paid_amount=Decimal("2500"), version=1)
    # The ANCT's line is paid by the State: it does not hold the dossier back.
    project_change_status(project=dossier, to_status=Status.SOLDE, user=agent)
    dossier.refresh_from_db()
    assert dossier.status == Status.SOLDE


def test_the_bulk_action_lists_the_dossier_with_its_reason(dossier, agent):
    dossier.status = Status.JUSTIFIE
    dossier.save()
    from projects.services import preview_status_changes

    preview = preview_status_changes(projects=[dossier], to_status=Status.SOLDE, user=agent)
    assert preview.moved == []
    assert preview.refused[0][1].startswith(
        "Le dossier ne peut être soldé : ses versements ne sont pas complets"
    )


def test_the_import_cannot_move_an_unpaid_dossier_to_solde(dossier, direction):
    dossier.status = Status.JUSTIFIE
    dossier.save()
    rows = (
        "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;"
        "montant_demande;montant_accorde\n"
        f"2021;PV2021-001;{dossier.title};Association Élan;association;{dossier.pillar.code};"
        f"{dossier.theme.code};solde;cabbalr_fcs;5000;4000\n"
        f"2021;PV2021-001;{dossier.title};Association Élan;association;{dossier.pillar.code};"
        f"{dossier.theme.code};solde;anct;9000;8000\n"
    )
    result = programmation_import(content=rows.encode(), filename="solde.csv", user=direction)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "statut")]
    assert "ses versements ne sont pas complets" in result.errors[0].message
    dossier.refresh_from_db()
    assert dossier.status == Status.JUSTIFIE


# The dossier's page ---------------------------------------------------------------------------

URL = "/projets/{}/versements/"


def test_an_agent_schedules_then_records_a_payment_on_the_dossiers_page(dossier, agent_client):
    line = fcs(dossier)
    page = agent_client.get(URL.format(dossier.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Établir l'échéancier" in body and "(pour information : versé par ce financeur)" in body

    prefix = f"echeancier-{line.pk}"
    response = agent_client.post(
        URL.format(dossier.pk),
        {"action": "echeancier", "ligne": line.pk, f"{prefix}-advance_percent": "50",
         f"{prefix}-advance_on": "2021-04-01", f"{prefix}-balance_on": "2022-02-01"},
    )  # fmt: skip
    assert response.status_code == 302
    advance, balance = Payment.objects.filter(funding_line=line).order_by("planned_on")
    assert (advance.planned_amount, balance.planned_amount) == (Decimal("2000.00"), Decimal("2000.00"))

    response = agent_client.post(
        URL.format(dossier.pk),
        {"action": "verser", "versement": advance.pk, "version": advance.version, "paid_on": "2021-04-02",
         "paid_amount": "2 000,00"},
    )  # fmt: skip
    assert response.status_code == 302
    advance.refresh_from_db()
    assert (advance.state, advance.paid_on, advance.paid_amount) == (
        PaymentState.VERSE, datetime.date(2021, 4, 2), Decimal("2000.00")
    )  # fmt: skip
    page = agent_client.get(URL.format(dossier.pk))
    summary = page.content.decode()
    assert f"versé <strong>2{NBSP}000,00{NBSP}€</strong> · reste à verser 2{NBSP}000,00{NBSP}€" in summary


def test_a_bad_amount_is_shown_next_to_its_field_and_nothing_is_written(dossier, agent_client):
    line = fcs(dossier)
    prefix = f"ajout-{line.pk}"
    response = agent_client.post(
        URL.format(dossier.pk),
        {"action": "ajout", "ligne": line.pk, f"{prefix}-kind": "acompte", f"{prefix}-planned_on": "2021-05-01",
         f"{prefix}-planned_amount": "4 000,50"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "dépasserait le montant accordé" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_stale_form_is_a_conflict(dossier, agent_client, agent):
    payment = payment_add(line=fcs(dossier), user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                          planned_amount=Decimal("100"))  # fmt: skip
    payment_cancel(payment=payment, user=agent, version=1, comment="doublon")
    response = agent_client.post(
        URL.format(dossier.pk),
        {
            "action": "verser",
            "versement": payment.pk,
            "version": 1,
            "paid_on": "2021-04-02",
            "paid_amount": "100",
        },
    )
    assert response.status_code == 409
    assert "modifié par quelqu'un d'autre" in html.unescape(response.content.decode())


def test_the_comite_sees_no_payment(dossier, comite_client):
    assert comite_client.get(URL.format(dossier.pk)).status_code == 403
    assert comite_client.get("/versements/").status_code == 403
    assert comite_client.post(URL.format(dossier.pk), {"action": "ajout"}).status_code == 403


def test_the_admin_shows_payments_read_only(dossier, agent, admin_client):
    payment = payment_add(line=fcs(dossier), user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                          planned_amount=Decimal("100"))  # fmt: skip
    assert admin_client.get("/admin/funding/payment/add/").status_code == 403
    response = admin_client.post(f"/admin/funding/payment/{payment.pk}/change/", {"planned_amount": "99999"})
    assert response.status_code in (403, 200)
    payment.refresh_from_db()
    assert payment.planned_amount == Decimal("100.00")


# The payments list -----------------------------------------------------------------------------


@pytest.fixture
def payments(dossier, agent):
    today = datetime.date.today()
    line = fcs(dossier)
    anct = dossier.funding_lines.get(funder__code="anct")
    late = payment_add(line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                       planned_amount=Decimal("1000"))  # fmt: skip
    paid = payment_add(line=line, user=agent, kind=PaymentKind.ACOMPTE, planned_on=DECIDED,
                       planned_amount=Decimal("500"))  # fmt: skip
    payment_record(payment=paid, user=agent, paid_on=DECIDED, paid_amount=Decimal("450.50"), version=1)
    due = payment_add(line=line, user=agent, kind=PaymentKind.SOLDE, planned_on=month_bounds(today)[1],
                      planned_amount=Decimal("2000"))  # fmt: skip
    info = payment_add(line=anct, user=agent, kind=PaymentKind.SOLDE, planned_on=month_bounds(today)[1],
                       planned_amount=Decimal("8000"))  # fmt: skip
    return {"late": late, "paid": paid, "due": due, "info": info}


def listed(response) -> set[int]:
    return {payment.pk for payment in response.context["page"].object_list}


def test_the_list_filters_by_state_due_date_funder_and_dossier(agent_client, payments):
    every = agent_client.get("/versements/")
    assert listed(every) == {p.pk for p in payments.values()}
    totals = every.context["totals"]
    assert (totals.count, totals.paid, totals.to_pay) == (4, Decimal("450.50"), Decimal("11000.00"))
    assert totals.planned == Decimal("11450.50")

    assert listed(agent_client.get("/versements/?etat=verse")) == {payments["paid"].pk}
    assert listed(agent_client.get("/versements/?echeance=mois")) == {payments["due"].pk, payments["info"].pk}
    assert listed(agent_client.get("/versements/?echeance=mois&agglomeration=true")) == {payments["due"].pk}
    if datetime.date.today() > DECIDED:
        assert listed(agent_client.get("/versements/?echeance=retard")) == {payments["late"].pk}
    assert listed(agent_client.get("/versements/?financeur=anct")) == {payments["info"].pk}
    assert listed(agent_client.get("/versements/?annee=2022")) == set()
    assert listed(agent_client.get("/versements/?q=élan&etat=prevu")) == {
        payments["late"].pk, payments["due"].pk, payments["info"].pk
    }  # fmt: skip


def test_an_unknown_filter_is_a_french_error_and_lists_nothing(agent_client, payments):
    response = agent_client.get("/versements/?pilier=emplio")
    assert response.status_code == 400
    assert response.context["filter_errors"] == [
        "Pilier inconnu : « emplio » (codes possibles : cohesion_sociale, cadre_de_vie, emploi, pilotage)."
    ]
    assert listed(response) == set()
    export = agent_client.get("/versements/?pilier=emplio&format=csv")
    assert export.status_code == 400


def test_the_export_as_csv_and_xlsx(agent_client, payments):
    response = agent_client.get("/versements/?etat=verse&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="versements-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["annee", "numero_dossier", "intitule", "porteur"]
    assert rows[1:] == [[
        "2021", "PV2021-001", payments["paid"].funding_line.project.title, "Association Élan",
        funder("cabbalr_fcs").label, "4000.00", "Acompte", "2021-03-04", "500.00", "Versé", "2021-03-04", "450.50",
    ]]  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(agent_client.get("/versements/?format=xlsx").content))
    sheet = book["Versements"]
    assert sheet.max_row == 5
    amounts = sorted(row[8] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert amounts == [500, 1000, 2000, 8000]


# A line with payments is never replaced nor deleted ----------------------------------------------


def test_the_import_does_not_replace_the_lines_of_a_dossier_with_payments(dossier, agent, direction):
    from projects.imports.links import protecting_links

    assert {link.related_model._meta.label for link in protecting_links()} == {"funding.Payment"}
    payment_add(line=fcs(dossier), user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED,
                planned_amount=Decimal("100"))  # fmt: skip
    rows = (
        "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;"
        "montant_demande;montant_accorde\n"
        f"2021;PV2021-001;{dossier.title};Association Élan;association;{dossier.pillar.code};"
        f"{dossier.theme.code};programme;cabbalr_fcs;5000;3500\n"
        f"2021;PV2021-001;{dossier.title};Association Élan;association;{dossier.pillar.code};"
        f"{dossier.theme.code};programme;anct;9000;8000\n"
    )
    result = programmation_import(content=rows.encode(), filename="lignes.csv", user=direction)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "financeur", "le dossier PV2021-001 de 2021 a des versements enregistrés : ses lignes de financement "
                         "ne peuvent plus être remplacées par un import (modifiez-les depuis sa fiche)"),
    ]  # fmt: skip
    assert fcs(dossier).amount_granted == Decimal("4000.00")
    assert Payment.objects.count() == 1


def test_the_dossier_form_cannot_delete_a_line_with_payments(dossier, agent, direction):
    from projects.services import project_save_with_lines

    line = fcs(dossier)
    payment_add(
        line=line, user=agent, kind=PaymentKind.AVANCE, planned_on=DECIDED, planned_amount=Decimal("100")
    )
    anct = dossier.funding_lines.get(funder__code="anct")
    with pytest.raises(ValidationError) as error:
        project_save_with_lines(
            project=dossier, year=2021, quartiers=[], funding_lines=[anct], removed_funding_lines=[line],
            indicators=[], removed_indicators=[], user=direction, expected_version=dossier.version,
        )  # fmt: skip
    assert error.value.messages == [
        f"La ligne « {line.funder} » a des versements enregistrés (prévus, effectués ou annulés) : elle ne peut "
        "être supprimée ; son montant accordé peut être modifié."
    ]
    assert dossier.funding_lines.count() == 2

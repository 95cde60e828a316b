"""The compte-rendu financier (CERFA 15059): charges and produits by account, planned and actual,
their gaps computed; the beneficiaries; the dossier's indicators; the rules (French messages,
nothing half-written, versions); the move to `justifie` needs it complete."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.compte_rendu_services import StaleCompteRenduError, compte_rendu_save, require_compte_rendu
from funding.models import CompteRendu, CompteRenduLine
from projects.models import Status
from projects.services import project_change_status
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory
from tests.html import element

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
URL = "/projets/{}/compte-rendu/"
HEADER = {
    "received_on": datetime.date(2022, 5, 2),
    "held_from": datetime.date(2021, 1, 4),
    "held_to": datetime.date(2021, 12, 17),
    "assessment": "42 aidants numériques formés ; ateliers tenus chaque semaine.",
    "beneficiaries": 120,
    "beneficiaries_qpv": 90,
    "women": 70,
    "men": 50,
    "age_under_16": 10,
    "age_16_25": 40,
    "age_26_64": 60,
    "age_65_plus": 10,
}


@pytest.fixture
def dossier():
    project = ProjectFactory(
        reference="PV2021-007",
        year=ProgrammeYearFactory(year=2021),
        operator=OperatorFactory(name="Dév And You"),
        status=Status.PROGRAMME,
        decision_date=datetime.date(2021, 3, 4),
    )
    project.indicators.create(label="Aidants formés", unit="personnes", expected=Decimal("40"))
    return project


def save(project, user, version=None, **changes):
    return compte_rendu_save(
        project=project,
        user=user,
        header={**HEADER, **changes.pop("header", {})},
        accounts=changes.pop("accounts", {"60": (Decimal("1000"), Decimal("1200.50")), "74": (Decimal("5000"), Decimal("5000"))}),
        achieved=changes.pop("achieved", None),
        version=version,
    )  # fmt: skip


def test_a_compte_rendu_with_its_accounts_gaps_and_indicators(dossier, agent):
    indicator = dossier.indicators.get()
    compte_rendu = save(dossier, agent, achieved={indicator.pk: Decimal("42")})
    lines = {line.account: line for line in compte_rendu.lines.all()}
    assert (lines["60"].gap, lines["60"].gap_percent) == (Decimal("200.50"), Decimal("20.1"))
    assert (lines["74"].gap, lines["74"].gap_percent) == (Decimal("0.00"), Decimal("0.0"))
    indicator.refresh_from_db()
    assert indicator.achieved == Decimal("42.00")
    assert compte_rendu.is_complete
    assert compte_rendu.history.first().history_user == agent

    # Saved again with an account emptied: that account's line goes.
    compte_rendu = save(
        dossier, agent, version=1, accounts={"60": (None, None), "64": (Decimal("300"), None)}
    )
    assert sorted(compte_rendu.lines.values_list("account", flat=True)) == ["64", "74"]
    assert compte_rendu.version == 2
    assert not CompteRendu.objects.get().is_complete  # no actual charge any more


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        ({"beneficiaries_qpv": 121}, "beneficiaries_qpv",
         "121 habitants des QPV pour 120 bénéficiaires en tout : ils ne peuvent être plus nombreux."),
        ({"women": 80, "men": 50}, "men", "Femmes (80) et hommes (50) font 130, plus que les 120 bénéficiaires."),
        ({"age_65_plus": 20}, "age_65_plus", "Les tranches d'âge font 130, plus que les 120 bénéficiaires."),
        ({"held_to": datetime.date(2020, 12, 1)}, "held_to", "La fin de l'action ne peut précéder son début."),
    ],
)  # fmt: skip
def test_inconsistent_beneficiaries_or_dates_are_refused_and_nothing_is_written(
    dossier, agent, header, field, message
):
    with pytest.raises(ValidationError) as error:
        save(dossier, agent, header=header)
    assert error.value.message_dict[field] == [message]
    assert not CompteRendu.objects.exists() and not CompteRenduLine.objects.exists()


def test_an_unknown_account_or_a_foreign_indicator_is_refused(dossier, agent):
    with pytest.raises(ValidationError) as error:
        save(dossier, agent, accounts={"59": (Decimal("1"), None)})
    assert error.value.messages[0].startswith("Compte inconnu : « 59 » (comptes possibles : 60, 61")
    other = ProjectFactory(reference="AUTRE")
    foreign = other.indicators.create(label="Autre")
    with pytest.raises(ValidationError) as error:
        save(dossier, agent, achieved={foreign.pk: Decimal("1")})
    assert error.value.messages == [f"L'indicateur n° {foreign.pk} n'appartient pas au dossier PV2021-007."]
    assert not CompteRendu.objects.exists()


def test_a_stale_version_is_refused(dossier, agent, direction):
    save(dossier, agent)
    save(dossier, direction, version=1)
    with pytest.raises(StaleCompteRenduError):
        save(dossier, agent, version=1, header={"assessment": "écrasé ?"})
    assert CompteRendu.objects.get().assessment == HEADER["assessment"]


def test_justifie_needs_a_complete_compte_rendu(dossier, agent):
    with pytest.raises(ValidationError) as error:
        project_change_status(project=dossier, to_status=Status.JUSTIFIE, user=agent)
    assert error.value.messages == [
        "Le dossier ne peut être marqué justifié sans son compte-rendu financier complet "
        "(date de réception, bilan qualitatif et charges réalisées)."
    ]
    save(dossier, agent, header={"assessment": "  "})
    with pytest.raises(ValidationError):
        require_compte_rendu(dossier)
    save(dossier, agent, version=1)
    project_change_status(project=dossier, to_status=Status.JUSTIFIE, user=agent)
    dossier.refresh_from_db()
    assert dossier.status == Status.JUSTIFIE


# The page -----------------------------------------------------------------------------------------


def test_an_agent_enters_the_compte_rendu_in_the_browser_form(dossier, agent_client):
    indicator = dossier.indicators.get()
    page = agent_client.get(URL.format(dossier.pk))
    assert page.status_code == 200
    assert "Aucun compte-rendu reçu." in html.unescape(page.content.decode())
    data = {
        "received_on": "2022-05-02", "held_from": "2021-01-04", "held_to": "2021-12-17",
        "assessment": "Ateliers tenus.", "beneficiaries": "120", "beneficiaries_qpv": "90", "women": "70",
        "men": "50", "planned_60": "1 000,00", "actual_60": "1 200,50", "planned_74": "5 000", "actual_74": "5000",
        f"achieved_{indicator.pk}": "42", "version": "",
    }  # fmt: skip
    response = agent_client.post(URL.format(dossier.pk), data)
    assert response.status_code == 302
    page = agent_client.get(URL.format(dossier.pk))
    content = page.content.decode()
    assert "Compte-rendu complet : le dossier peut être marqué justifié." in html.unescape(content)
    charges = element(content, "table", id="charges")
    sixty = next(tr for tr in charges.elements("tr") if tr.text.startswith("60 – Achats"))
    cells = [cell.text for cell in sixty.inner if cell.tag == "td"]
    assert cells[2:] == [f"200,50{NBSP}€", f"20,1{NBSP}%"]
    total = charges.elements("tfoot")[0].text
    assert f"1{NBSP}000,00{NBSP}€" in total and f"1{NBSP}200,50{NBSP}€" in total

    # A stale form (opened before this save) is a conflict, and nothing changes.
    data["assessment"] = "Écrasé ?"
    data["version"] = ""
    response = agent_client.post(URL.format(dossier.pk), data)
    assert response.status_code == 409
    assert CompteRendu.objects.get().assessment == "Ateliers tenus."


def test_the_comite_sees_no_compte_rendu(dossier, comite_client):
    assert comite_client.get(URL.format(dossier.pk)).status_code == 403

"""The comités' pages: séances, agenda, the scenario's table without JavaScript (a paged form)
and with it (one cell saved, JSON), comparing, applying, envelopes; what each role may do."""

import datetime
import html
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comites.models import AgendaItem, Opinion, Scenario, ScenarioLine, ScenarioOpinion, Seance, SeanceState
from comites.services import agenda_add_projects, seance_change_state
from funding.envelope_services import envelope_set
from funding.models import Envelope
from projects.models import Project
from tests.comites.conftest import dossier
from tests.factories import funder
from tests.html import element, elements

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def line_of(scenario, project, code="anct") -> ScenarioLine:
    return ScenarioLine.objects.get(scenario=scenario, project=project, funder__code=code)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace(NBSP, " ").replace("\u202f", " ")


# Séances and agenda ------------------------------------------------------------------------------


def test_an_agent_creates_a_seance(programme, agent, client_of):
    response = client_of(agent).post(
        "/comites/seances/nouvelle/", {"year": "2021", "date": "2021-03-04", "kind": "comite_programmation"}
    )
    seance = Seance.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/comites/seances/{seance.pk}/"
    page = text(client_of(agent).get(response["Location"]))
    assert "<h1>Comité de programmation du 4 mars 2021</h1>" in page
    assert "Inscrire à l'ordre du jour" in page


def test_a_seance_form_with_a_missing_date_says_so(programme, agent, client_of):
    response = client_of(agent).post(
        "/comites/seances/nouvelle/", {"year": "2021", "kind": "comite_technique"}
    )
    assert response.status_code == 200
    assert "La séance n'a pas été enregistrée" in text(response)
    assert not Seance.objects.exists()


def test_dossiers_are_put_on_the_agenda_by_choice_or_number_and_refusals_are_listed(
    seance, programme, agent, client_of
):
    client = client_of(agent)
    response = client.post(
        f"/comites/seances/{seance.pk}/ordre-du-jour/ajouter/",
        {"dossiers": [programme["a"].pk], "numeros": "B-2, P-0 INCONNU"},
        follow=True,
    )
    page = text(response)
    assert set(AgendaItem.objects.values_list("project__reference", flat=True)) == {"A-1", "B-2"}
    assert "2 dossiers inscrits à l'ordre du jour." in page
    assert "Dossier INCONNU : aucun dossier 2021 ne porte ce numéro." in page
    assert "Dossier P-0 « Action P-0 » non inscrit : son statut est « Programmé »" in page


def test_a_dossier_on_another_open_seance_is_refused_in_the_page(with_agenda, programme, agent, client_of):
    other = Seance.objects.create(year_id=2021, date=datetime.date(2021, 2, 1), kind="comite_technique")
    response = client_of(agent).post(
        f"/comites/seances/{other.pk}/ordre-du-jour/ajouter/", {"numeros": "A-1"}, follow=True
    )
    assert "il est déjà à l'ordre du jour de la séance « Comité de programmation du 4 mars 2021 »" in text(
        response
    )
    assert not AgendaItem.objects.filter(seance=other).exists()


def test_the_comite_reads_a_seance_but_changes_nothing(with_agenda, programme, comite, client_of):
    client = client_of(comite)
    page = text(client.get(f"/comites/seances/{with_agenda.pk}/"))
    assert "A-1 — Action A-1" in page
    assert "Inscrire à l'ordre du jour" not in page and "Retirer" not in page
    assert f'href="/projets/{programme["a"].pk}/"' not in page  # no access to the dossiers
    response = client.post(f"/comites/seances/{with_agenda.pk}/ordre-du-jour/ajouter/", {"numeros": "C-3"})
    assert response.status_code == 403


# The scenario's table -------------------------------------------------------------------------


def test_the_scenario_page_shows_a_form_table_with_gauges(scenario, programme, agent, client_of):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("15000"))
    page = text(client_of(agent).get(f"/comites/scenarios/{scenario.pk}/"))
    a_anct = line_of(scenario, programme["a"])
    assert element(page, "input", name=f"montant-{programme['a'].pk}-{a_anct.pk}")["value"] == "10 000,00"
    assert element(page, "input", name=f"version-{programme['a'].pk}")["value"] == "1"
    assert "<caption>Tableau de programmation : un dossier par ligne" in page
    assert "Sous-total Cohésion sociale" in page and "Sous-total Emploi et développement économique" in page
    # ANCT: 5 000 engaged + 13 000 proposed (A and B) for 15 000.
    gauge = element(page, "meter", class_="gauge__meter", max="15000.00")
    assert (gauge["min"], gauge["high"], gauge["value"]) == ("0", "15000.00", "18000.00")
    assert (
        "Dépassement de l'enveloppe de 3 000,00 € : 18 000,00 € engagés et proposés pour 15 000,00 €." in page
    )
    assert 'src="/static/js/scenario-table.js"' in page


def test_the_page_form_saves_every_row_and_warns_above_the_request(scenario, programme, agent, client_of):
    a, c = programme["a"], programme["c"]
    a_anct, a_fcs = line_of(scenario, a), line_of(scenario, a, "cabbalr_fcs")
    c_region = line_of(scenario, c, "region")
    response = client_of(agent).post(
        f"/comites/scenarios/{scenario.pk}/",
        {
            "dossier": [a.pk, c.pk],
            f"version-{a.pk}": "1",
            f"montant-{a.pk}-{a_anct.pk}": "9 500,00",
            f"montant-{a.pk}-{a_fcs.pk}": "2000",
            f"avis-{a.pk}": "favorable",
            f"commentaire-{a.pk}": "",
            f"version-{c.pk}": "1",
            f"montant-{c.pk}-{c_region.pk}": "900",
            f"avis-{c.pk}": "ajourne",
            f"commentaire-{c.pk}": "Attendre le budget",
        },
        follow=True,
    )
    page = text(response)
    assert "2 dossiers enregistrés." in page
    assert "le montant proposé (900,00 €) dépasse le montant demandé (800,00 €)" in page
    assert line_of(scenario, a).proposed == Decimal("9500.00")
    assert ScenarioOpinion.objects.get(scenario=scenario, project=c).comment == "Attendre le budget"


def test_a_garbled_amount_in_the_page_form_is_shown_next_to_its_cell_and_nothing_is_saved(
    scenario, programme, agent, client_of
):
    a, c = programme["a"], programme["c"]
    a_anct, c_region = line_of(scenario, a), line_of(scenario, c, "region")
    response = client_of(agent).post(
        f"/comites/scenarios/{scenario.pk}/",
        {
            "dossier": [a.pk, c.pk],
            f"version-{a.pk}": "1",
            f"montant-{a.pk}-{a_anct.pk}": "9000",
            f"avis-{a.pk}": "favorable",
            f"version-{c.pk}": "1",
            f"montant-{c.pk}-{c_region.pk}": "mille",
            f"avis-{c.pk}": "favorable",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Rien n'a été enregistré" in page
    assert "Dossier C-3 « Action C-3 », Région : « mille » n'est pas un montant" in page
    cell = element(page, "input", name=f"montant-{c.pk}-{c_region.pk}")
    assert (cell["id"], cell["value"], cell["aria-invalid"]) == (f"montant-{c_region.pk}", "mille", "true")
    assert line_of(scenario, a).proposed == Decimal("10000.00")


def test_a_cell_saved_by_the_script_answers_with_the_version_totals_and_gauges(
    scenario, programme, agent, client_of
):
    envelope_set(funder=funder("anct"), year=2021, amount=Decimal("15000"))
    a_anct = line_of(scenario, programme["a"])
    response = client_of(agent).post(
        f"/comites/scenarios/{scenario.pk}/cellule/",
        {"ligne": a_anct.pk, "montant": "7 000,5", "version": "1"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True
    assert answer["amount"] == "7000.50"
    assert answer["amount_text"] == f"7{NBSP}000,50"
    assert answer["row"]["version"] == 2
    assert answer["row"]["row_total"] == "9000.50"
    anct = next(g for g in answer["row"]["gauges"] if g["funder"] == "anct")
    assert (anct["engaged"], anct["proposed"], anct["total"], anct["left"], anct["over"]) == (
        "5000.00",
        "10000.50",
        "15000.50",
        "-0.50",
        True,
    )
    assert answer["row"]["column_totals"][str(a_anct.funder_id)] == f"10{NBSP}000,50{NBSP}€"


def test_a_stale_cell_save_is_refused_with_409_naming_the_dossier(
    scenario, programme, agent, direction, client_of
):
    a_anct = line_of(scenario, programme["a"])
    url = f"/comites/scenarios/{scenario.pk}/cellule/"
    assert (
        client_of(direction).post(url, {"ligne": a_anct.pk, "montant": "1", "version": "1"}).status_code
        == 200
    )
    response = client_of(agent).post(url, {"ligne": a_anct.pk, "montant": "2", "version": "1"})
    assert response.status_code == 409
    answer = response.json()
    assert answer["stale"] is True
    assert answer["error"].startswith("Le dossier A-1 « Action A-1 » a été modifié dans ce scénario")
    assert answer["row"]["version"] == 2
    assert line_of(scenario, programme["a"]).proposed == Decimal("1.00")


@pytest.mark.parametrize("typed", ["-3", "abc", "12a"])
def test_a_bad_cell_is_refused_with_400(scenario, programme, agent, typed, client_of):
    a_anct = line_of(scenario, programme["a"])
    response = client_of(agent).post(
        f"/comites/scenarios/{scenario.pk}/cellule/", {"ligne": a_anct.pk, "montant": typed, "version": "1"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Dossier A-1 « Action A-1 », État ANCT : ")
    assert line_of(scenario, programme["a"]).proposed == Decimal("10000.00")


def test_the_opinion_saved_by_the_script(scenario, programme, agent, client_of):
    response = client_of(agent).post(
        f"/comites/scenarios/{scenario.pk}/avis/",
        {"dossier": programme["b"].pk, "avis": "defavorable", "commentaire": "Hors cadre", "version": "1"},
    )
    assert response.status_code == 200
    row = response.json()["row"]
    assert row["version"] == 2 and row["opinion"] == "defavorable" and row["row_total"] == "0.00"
    assert (
        ScenarioOpinion.objects.get(scenario=scenario, project=programme["b"]).opinion == Opinion.DEFAVORABLE
    )


def test_the_comite_reads_the_scenario_without_inputs(scenario, comite, client_of):
    client = client_of(comite)
    page = text(client.get(f"/comites/scenarios/{scenario.pk}/"))
    assert elements(page, "input", inputmode="decimal") == []
    assert "10 000,00 €" in page
    assert "scenario-table.js" not in page
    assert client.post(f"/comites/scenarios/{scenario.pk}/", {}).status_code == 403
    line = ScenarioLine.objects.filter(scenario=scenario).first()
    assert (
        client.post(
            f"/comites/scenarios/{scenario.pk}/cellule/", {"ligne": line.pk, "montant": "1", "version": "1"}
        ).status_code
        == 403
    )


def test_the_scenario_page_takes_the_same_queries_at_any_size(scenario, with_agenda, agent, client_of):
    client = client_of(agent)
    url = f"/comites/scenarios/{scenario.pk}/?par_page=25"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    projects = [dossier(f"N-{i}", lines=(("anct", "100"), ("caf", "50"))) for i in range(30)]
    agenda_add_projects(seance=with_agenda, project_ids=[p.pk for p in projects])
    assert count() == small


def test_duplicate_rename_and_compare(scenario, with_agenda, agent, client_of):
    client = client_of(agent)
    response = client.post(f"/comites/scenarios/{scenario.pk}/dupliquer/", {"name": "Basse"})
    copy = Scenario.objects.get(name="Basse")
    assert response["Location"] == f"/comites/scenarios/{copy.pk}/"
    client.post(f"/comites/scenarios/{copy.pk}/renommer/", {"name": "Hypothèse basse", "version": "1"})
    copy.refresh_from_db()
    assert copy.name == "Hypothèse basse"
    same_name = client.post(
        f"/comites/scenarios/{copy.pk}/renommer/", {"name": "Hypothèse haute", "version": "2"}, follow=True
    )
    assert "Un scénario de cette séance s'appelle déjà « Hypothèse haute »." in text(same_name)

    page = text(client.get(f"/comites/seances/{with_agenda.pk}/comparer/?a={scenario.pk}&b={copy.pk}"))
    assert "Programmation actuelle" in page and "Scénario « Hypothèse haute »" in page
    assert "Scénario « Hypothèse basse »" in page
    # 5 000 programmed now; 5 000 + 17 300 proposed in each scenario.
    assert (
        '<tr><th scope="row">Total programmé</th><td class="num">5 000,00 €</td><td class="num">22 300,00 €</td><td class="num">22 300,00 €</td></tr>'
        in page
    )


# Applying -------------------------------------------------------------------------------------------


def test_only_the_direction_applies_after_a_confirmation(scenario, programme, agent, direction, client_of):
    seance_change_state(seance=scenario.seance, state=SeanceState.TENU)
    url = f"/comites/scenarios/{scenario.pk}/appliquer/"
    assert client_of(agent).get(url).status_code == 403
    assert client_of(agent).post(url).status_code == 403

    client = client_of(direction)
    confirmation = text(client.get(url))
    assert "Cette opération ne s'annule pas." in confirmation
    assert "avis favorable : <strong>3</strong> dossiers" in confirmation
    response = client.post(url, follow=True)
    assert (
        "Décision appliquée : 3 dossier(s) programmé(s), 0 refusé(s), 0 ajourné(s) ; 5 décision(s)"
        in text(response)
    )
    assert set(Project.objects.filter(status="programme").values_list("reference", flat=True)) == {
        "P-0",
        "A-1",
        "B-2",
        "C-3",
    }
    again = client.post(url, follow=True)
    assert "a déjà été appliquée (scénario « Hypothèse haute »" in text(again)


def test_applying_a_changed_scenario_lists_the_differences(scenario, programme, direction, client_of):
    seance_change_state(seance=scenario.seance, state=SeanceState.TENU)
    programme["c"].funding_lines.update(amount_requested=Decimal("900"))
    response = client_of(direction).post(f"/comites/scenarios/{scenario.pk}/appliquer/", follow=True)
    page = text(response)
    assert "Le scénario ne correspond plus à l'ordre du jour et aux dossiers" in page
    assert (
        "Dossier C-3 « Action C-3 » : le montant demandé à « Région Hauts-de-France » est passé de 800,00 € à 900,00 €."
        in page
    )
    assert Project.objects.get(pk=programme["a"].pk).status == "en_instruction"


# Envelopes ---------------------------------------------------------------------------------------------


def test_the_direction_sets_the_envelopes_of_a_year(programme, direction, client_of):
    anct = funder("anct")
    response = client_of(direction).post(
        "/comites/enveloppes/2021/", {f"enveloppe-{anct.pk}-total": "12 000,00"}, follow=True
    )
    assert "Les enveloppes 2021 sont enregistrées." in text(response)
    assert Envelope.objects.get(funder=anct, year_id=2021).amount == Decimal("12000.00")
    # Engaged 5 000 (P-0), so 7 000 left.
    assert "7 000,00 €" in text(response)


def test_a_bad_envelope_is_refused_next_to_its_cell(programme, direction, client_of):
    anct = funder("anct")
    response = client_of(direction).post(
        "/comites/enveloppes/2021/",
        {f"enveloppe-{anct.pk}-total": "-5", f"enveloppe-{funder('caf').pk}-total": "1000"},
    )
    assert response.status_code == 400
    assert "État – ANCT crédits politique de la ville : le montant « -5 » doit être positif ou nul." in text(
        response
    )
    assert not Envelope.objects.exists()


def test_agents_read_the_envelopes_but_do_not_set_them(programme, agent, client_of):
    client = client_of(agent)
    page = text(client.get("/comites/enveloppes/2021/"))
    assert "Enveloppes des financeurs 2021" in page and 'name="enveloppe-' not in page
    assert client.post("/comites/enveloppes/2021/", {}).status_code == 403


# Documents -------------------------------------------------------------------------------------------------


def test_the_tableau_de_programmation_as_a_spreadsheet(scenario, programme, comite, client_of):
    import io

    import openpyxl

    response = client_of(comite).get(f"/comites/scenarios/{scenario.pk}/tableau.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="tableau-de-programmation-2021-03-04-hypothese-haute.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    header = rows[0]
    assert header[:5] == ["N° de dossier", "Intitulé", "Porteur", "Pilier", "Demandé"]
    a_row = next(r for r in rows if r[0] == "A-1")
    assert a_row[4] == 12000
    assert rows[-1][1] == "Total" and rows[-1][header.index("Total proposé")] == 17300


def test_json_answers_are_json(scenario, agent, client_of):
    response = client_of(agent).post(f"/comites/scenarios/{scenario.pk}/cellule/", {"ligne": "x"})
    assert response.status_code == 400
    assert json.loads(response.content) == {"ok": False, "error": "Requête incomplète : rechargez la page."}


def test_a_chosen_dossier_that_may_not_join_is_refused_with_its_reason(seance, programme, agent, client_of):
    response = client_of(agent).post(
        f"/comites/seances/{seance.pk}/ordre-du-jour/ajouter/",
        {"dossiers": [programme["done"].pk]},
        follow=True,
    )
    assert "Dossier P-0 « Action P-0 » non inscrit : son statut est « Programmé »" in text(response)
    assert not AgendaItem.objects.exists()

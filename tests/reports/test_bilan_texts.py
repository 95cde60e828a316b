"""The bilan's narrative parts: the direction writes them in the browser, previews the bilan
with them, and saves; the comité and the agents may read the bilan but not write them."""

import pytest
from django.test import Client

from contratville import roles
from projects.models import ProgrammeYear, Project, Status
from reports.services import bilan_texts_update
from tests.factories import OperatorFactory, ProgrammeYearFactory, ProjectFactory
from tests.reports.bilan_support import html_text, signed_in_client

pytestmark = pytest.mark.django_db

URL = "/bilan/2022/textes/"


def _year():
    year = ProgrammeYearFactory(year=2022, pnru_text="Ancien texte PNRU.")
    focus = ProjectFactory(
        year=year,
        reference="F-1",
        title="Ateliers numériques",
        operator=OperatorFactory(name="CABBALR", kind="epci"),
        partner="Extracité",
        is_focus=True,
        focus_order=1,
        focus_description="Description d'origine.",
        focus_results="Résultats d'origine.",
        focus_objective="Objectif d'origine.",
    )
    other = ProjectFactory(year=year, reference="F-2", title="Jardins partagés", status=Status.SOLDE)
    ProjectFactory(year=year, reference="F-3", title="Dossier refusé", status=Status.REFUSE)
    return year, focus, other


def _post_data(client, **changes):
    """The form as the page shows it, with `changes` (field name → value)."""
    form = client.get(URL).context
    data = {}
    for bound in [*form["form"], *form["add_form"], *form["formset"].management_form]:
        data[bound.html_name] = bound.value() if bound.value() is not None else ""
    for focus_form in form["formset"]:
        for bound in focus_form:
            if bound.name == "remove":
                continue
            data[bound.html_name] = bound.value() if bound.value() is not None else ""
    data.update(changes)
    return data


@pytest.mark.parametrize("group", [roles.COMITE, roles.AGENT, None])
def test_only_the_direction_may_open_the_texts_form(group, user_in):
    _year()
    client = Client()
    client.force_login(user_in(group))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"textes-pnru_text": "Piraté", "action": "enregistrer"}).status_code == 403
    assert ProgrammeYear.objects.get(year=2022).pnru_text == "Ancien texte PNRU."


def test_anonymous_visitors_are_sent_to_the_login_page():
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_the_form_shows_the_saved_texts_and_focus_actions():
    _year()
    response = signed_in_client(roles.DIRECTION).get(URL)
    assert response.status_code == 200
    content = html_text(response.content)
    assert "Ancien texte PNRU." in content
    assert "Description d'origine." in content
    assert "F-1 — Ateliers numériques" in content
    # Only programmed dossiers that are not focus yet may be added.
    options = response.context["add_form"].fields["project"].queryset
    assert [p.reference for p in options] == ["F-2"]


def test_the_preview_shows_the_bilan_with_the_new_texts_and_saves_nothing():
    _year()
    client = signed_in_client(roles.DIRECTION)
    data = _post_data(
        client,
        **{
            "textes-pnru_text": "Nouvelle revue de projets du PNRU.",
            "textes-opinions_text": "Le conseil citoyen du Centre salue le travail mené.",
            "focus-0-focus_results": "Quarante aidants formés.",
            "action": "apercu",
        },
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    preview = html_text(response.context["preview_html"])
    assert "Nouvelle revue de projets du PNRU." in preview
    assert "Le conseil citoyen du Centre salue le travail mené." in preview
    assert "Aucun avis enregistré" not in preview
    assert "Quarante aidants formés." in preview
    assert "Opérateur : CABBALR – Extracité" in preview
    assert "Aperçu du bilan avec ces textes (non enregistré)" in response.content.decode()
    assert ProgrammeYear.objects.get(year=2022).pnru_text == "Ancien texte PNRU."
    assert Project.objects.get(reference="F-1").focus_results == "Résultats d'origine."


def test_saving_writes_the_texts_and_focus_actions_and_returns_to_the_bilan():
    _year()
    client = signed_in_client(roles.DIRECTION)
    data = _post_data(
        client,
        **{
            "textes-perspectives_text": "Préparer le futur contrat « Quartiers 2030 ».",
            "focus-0-partner": "Extracité, puis Egae",
            "focus-0-focus_objective": "Former tous les acteurs.",
            "ajout-project": str(Project.objects.get(reference="F-2").pk),
            "action": "enregistrer",
        },
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == "/bilan/2022/"
    year = ProgrammeYear.objects.get(year=2022)
    assert year.perspectives_text == "Préparer le futur contrat « Quartiers 2030 »."
    assert year.pnru_text == "Ancien texte PNRU."
    focus = Project.objects.get(reference="F-1")
    assert (focus.partner, focus.focus_objective) == ("Extracité, puis Egae", "Former tous les acteurs.")
    added = Project.objects.get(reference="F-2")
    assert (added.is_focus, added.focus_order) == (True, 2)
    page = html_text(client.get("/bilan/2022/").content)
    assert "Les textes du bilan 2022 sont enregistrés." in page
    assert "Préparer le futur contrat « Quartiers 2030 »." in page
    assert "Opérateur : CABBALR – Extracité, puis Egae" in page
    assert page.index("Ateliers numériques") < page.index("Focus 2")


def test_a_focus_action_can_be_removed_from_the_bilan():
    _year()
    client = signed_in_client(roles.DIRECTION)
    client.post(URL, _post_data(client, **{"focus-0-remove": "on", "action": "enregistrer"}))
    focus = Project.objects.get(reference="F-1")
    assert (focus.is_focus, focus.focus_order) == (False, None)
    assert focus.focus_description == "Description d'origine."  # kept, should it come back


def test_a_year_without_settings_is_created_on_save():
    client = signed_in_client(roles.DIRECTION)
    response = client.get("/bilan/2024/textes/")
    assert response.status_code == 200
    assert not ProgrammeYear.objects.filter(year=2024).exists()
    data = {
        "textes-context_text": "Une année de transition.",
        "focus-TOTAL_FORMS": "0",
        "focus-INITIAL_FORMS": "0",
        "action": "enregistrer",
    }
    assert client.post("/bilan/2024/textes/", data).status_code == 302
    assert ProgrammeYear.objects.get(year=2024).context_text == "Une année de transition."


def test_an_invalid_rank_is_reported_and_nothing_is_saved():
    _year()
    client = signed_in_client(roles.DIRECTION)
    data = _post_data(
        client, **{"focus-0-focus_order": "-3", "textes-pnru_text": "X", "action": "enregistrer"}
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["formset"].errors[0]["focus_order"]
    assert ProgrammeYear.objects.get(year=2022).pnru_text == "Ancien texte PNRU."


def test_the_service_refuses_a_dossier_of_another_year_as_focus():
    _year()
    stranger = ProjectFactory(year=ProgrammeYearFactory(year=2021), status=Status.PROGRAMME)
    with pytest.raises(ValueError):
        bilan_texts_update(year=2022, texts={}, add_focus=stranger)
    assert not Project.objects.get(pk=stranger.pk).is_focus


def test_the_texts_are_escaped_in_the_bilan():
    ProgrammeYearFactory(year=2022, opinions_text="<script>alert(1)</script>\n\nDeuxième paragraphe.")
    content = signed_in_client(roles.COMITE).get("/bilan/2022/").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<p>Deuxième paragraphe.</p>" in content

"""The comités' addresses, under /comites/ (contratville/urls.py)."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from . import views, views_bulk

app_name = "comites"

urlpatterns = [
    path("", views.seance_list, name="seance-list"),
    # The dossier list's bulk action (projects posts its selection here).
    path("ajout-a-l-ordre-du-jour/", views_bulk.agenda_bulk_add, name="agenda-bulk"),
    path("seances/nouvelle/", views.seance_create, name="seance-create"),
    path("seances/<int64:seance>/", views.seance_detail, name="seance-detail"),
    path("seances/<int64:seance>/modifier/", views.seance_update, name="seance-update"),
    path("seances/<int64:seance>/etat/", views.seance_state, name="seance-state"),
    path("seances/<int64:seance>/ordre-du-jour/ajouter/", views.agenda_add, name="agenda-add"),
    path("seances/<int64:seance>/ordre-du-jour/retirer/", views.agenda_remove, name="agenda-remove"),
    path("seances/<int64:seance>/scenarios/nouveau/", views.scenario_create, name="scenario-create"),
    path("seances/<int64:seance>/comparer/", views.scenario_compare, name="scenario-compare"),
    path(
        "seances/<int64:seance>/releve-de-decisions.pdf",
        views.seance_decisions_pdf,
        name="seance-decisions-pdf",
    ),
    path("scenarios/<int64:scenario>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int64:scenario>/cellule/", views.scenario_cell, name="scenario-cell"),
    path("scenarios/<int64:scenario>/avis/", views.scenario_opinion, name="scenario-opinion"),
    path("scenarios/<int64:scenario>/dupliquer/", views.scenario_duplicate, name="scenario-duplicate"),
    path("scenarios/<int64:scenario>/renommer/", views.scenario_rename, name="scenario-rename"),
    path("scenarios/<int64:scenario>/mettre-a-jour/", views.scenario_refresh, name="scenario-refresh"),
    path("scenarios/<int64:scenario>/appliquer/", views.scenario_apply, name="scenario-apply"),
    path("scenarios/<int64:scenario>/tableau.xlsx", views.scenario_xlsx, name="scenario-xlsx"),
    path("scenarios/<int64:scenario>/tableau.pdf", views.scenario_pdf, name="scenario-pdf"),
    path("enveloppes/<int64:year>/", views.envelopes, name="envelopes"),
]

"""The comités' addresses, under /comites/ (contratville/urls.py)."""

from django.urls import path

from . import views, views_bulk

app_name = "comites"

urlpatterns = [
    path("", views.seance_list, name="seance-list"),
    # The dossier list's bulk action (projects posts its selection here).
    path("ajout-a-l-ordre-du-jour/", views_bulk.agenda_bulk_add, name="agenda-bulk"),
    path("seances/nouvelle/", views.seance_create, name="seance-create"),
    path("seances/<int:seance>/", views.seance_detail, name="seance-detail"),
    path("seances/<int:seance>/modifier/", views.seance_update, name="seance-update"),
    path("seances/<int:seance>/etat/", views.seance_state, name="seance-state"),
    path("seances/<int:seance>/ordre-du-jour/ajouter/", views.agenda_add, name="agenda-add"),
    path("seances/<int:seance>/ordre-du-jour/retirer/", views.agenda_remove, name="agenda-remove"),
    path("seances/<int:seance>/scenarios/nouveau/", views.scenario_create, name="scenario-create"),
    path("seances/<int:seance>/comparer/", views.scenario_compare, name="scenario-compare"),
    path(
        "seances/<int:seance>/releve-de-decisions.pdf",
        views.seance_decisions_pdf,
        name="seance-decisions-pdf",
    ),
    path("scenarios/<int:scenario>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:scenario>/cellule/", views.scenario_cell, name="scenario-cell"),
    path("scenarios/<int:scenario>/avis/", views.scenario_opinion, name="scenario-opinion"),
    path("scenarios/<int:scenario>/dupliquer/", views.scenario_duplicate, name="scenario-duplicate"),
    path("scenarios/<int:scenario>/renommer/", views.scenario_rename, name="scenario-rename"),
    path("scenarios/<int:scenario>/mettre-a-jour/", views.scenario_refresh, name="scenario-refresh"),
    path("scenarios/<int:scenario>/appliquer/", views.scenario_apply, name="scenario-apply"),
    path("scenarios/<int:scenario>/tableau.xlsx", views.scenario_xlsx, name="scenario-xlsx"),
    path("scenarios/<int:scenario>/tableau.pdf", views.scenario_pdf, name="scenario-pdf"),
    path("enveloppes/<int:year>/", views.envelopes, name="envelopes"),
]

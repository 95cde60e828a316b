from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from . import views, views_bilan, views_dashboard, views_follow_up

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("suivi/", views_follow_up.follow_up_view, name="follow-up"),
    path("tableau-de-bord/", views_dashboard.dashboard_view, name="dashboard"),
    path("tableau-de-bord/communes.geojson", views_dashboard.communes_geojson_view, name="dashboard-geojson"),
    path("bilan/<int64:year>.json", views.bilan_json, name="bilan-json"),
    path("bilan/<int64:year>/", views_bilan.bilan_page, name="bilan"),
    path("bilan/<int64:year>.pdf", views_bilan.bilan_pdf, name="bilan-pdf"),
    path("bilan/<int64:year>/textes/", views_bilan.bilan_texts, name="bilan-texts"),
]

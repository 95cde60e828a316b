from django.urls import path

from . import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views_dashboard.dashboard_view, name="dashboard"),
    path("bilan/<int:year>.json", views.bilan_json, name="bilan-json"),
]

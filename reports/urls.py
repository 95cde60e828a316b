from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("bilan/<int:year>.json", views.bilan_json, name="bilan-json"),
]

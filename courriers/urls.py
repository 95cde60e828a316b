"""The letters' addresses: /courriers/… (templates, séances' batches, one letter) and a
dossier's letters under its own address, /projets/<id>/courriers/ (contratville/urls.py)."""

from django.urls import path

from contratville import converters  # noqa: F401 - registers <int64:…>

from . import views

app_name = "courriers"

urlpatterns = [
    path("projets/<int64:pk>/courriers/", views.project_letters, name="project-letters"),
    path("courriers/modeles/", views.template_list, name="template-list"),
    path("courriers/modeles/nouveau/", views.template_create, name="template-create"),
    path("courriers/modeles/<slug:kind>/", views.template_edit, name="template-edit"),
    path("courriers/modeles/<slug:kind>/apercu/", views.template_preview, name="template-preview"),
    path(
        "courriers/modeles/<slug:kind>/versions/<int64:number>/",
        views.template_version,
        name="template-version",
    ),
    path("courriers/seances/<int64:seance>/", views.seance_letters, name="seance-letters"),
    path("courriers/lots/<int64:batch>/", views.batch_detail, name="batch"),
    path("courriers/lots/<int64:batch>/courriers.zip", views.batch_zip, name="batch-zip"),
    path("courriers/lots/<int64:batch>/courriers.pdf", views.batch_pdf, name="batch-pdf"),
    path("courriers/lots/<int64:batch>/envoyer/", views.batch_send, name="batch-send"),
    path("courriers/<int64:letter>.pdf", views.letter_pdf, name="letter-pdf"),
    path("courriers/<int64:letter>/envoyer/", views.letter_send, name="letter-send"),
]

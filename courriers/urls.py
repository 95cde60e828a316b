"""The letters' addresses: /courriers/… (templates, séances' batches, one letter) and a
dossier's letters under its own address, /projets/<id>/courriers/ (contratville/urls.py)."""

from django.urls import path

from . import views

app_name = "courriers"

urlpatterns = [
    path("projets/<int:pk>/courriers/", views.project_letters, name="project-letters"),
    path("courriers/modeles/", views.template_list, name="template-list"),
    path("courriers/modeles/nouveau/", views.template_create, name="template-create"),
    path("courriers/modeles/<slug:kind>/", views.template_edit, name="template-edit"),
    path("courriers/modeles/<slug:kind>/apercu/", views.template_preview, name="template-preview"),
    path(
        "courriers/modeles/<slug:kind>/versions/<int:number>/",
        views.template_version,
        name="template-version",
    ),
    path("courriers/seances/<int:seance>/", views.seance_letters, name="seance-letters"),
    path("courriers/lots/<int:batch>/", views.batch_detail, name="batch"),
    path("courriers/lots/<int:batch>/courriers.zip", views.batch_zip, name="batch-zip"),
    path("courriers/lots/<int:batch>/courriers.pdf", views.batch_pdf, name="batch-pdf"),
    path("courriers/lots/<int:batch>/envoyer/", views.batch_send, name="batch-send"),
    path("courriers/<int:letter>.pdf", views.letter_pdf, name="letter-pdf"),
    path("courriers/<int:letter>/envoyer/", views.letter_send, name="letter-send"),
]

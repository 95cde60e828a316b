"""Placeholder: being written."""

from django.http import Http404


def project_import(request, *args, **kwargs):
    raise Http404


def import_template(request, *args, **kwargs):
    raise Http404

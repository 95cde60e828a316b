"""Placeholder: being written."""

from django.http import Http404


def project_create(request, *args, **kwargs):
    raise Http404


def project_update(request, *args, **kwargs):
    raise Http404

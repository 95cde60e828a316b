"""Placeholder: being written."""

from django.http import Http404


def project_transition(request, *args, **kwargs):
    raise Http404

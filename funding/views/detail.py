"""Placeholder: being written."""

from django.http import Http404


def project_detail(request, *args, **kwargs):
    raise Http404

"""Placeholder: being written."""

from django.http import Http404


def operator_list(request, *args, **kwargs):
    raise Http404


def operator_search(request, *args, **kwargs):
    raise Http404


def operator_detail(request, *args, **kwargs):
    raise Http404

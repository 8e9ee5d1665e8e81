"""Placeholder until the feature lands."""

from django.http import Http404


def rate(request, *args, **kwargs):
    raise Http404


def top(request, *args, **kwargs):
    raise Http404

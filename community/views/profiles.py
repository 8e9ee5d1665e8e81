"""Placeholder until the feature lands."""

from django.http import Http404


def profile(request, *args, **kwargs):
    raise Http404

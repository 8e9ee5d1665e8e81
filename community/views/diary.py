"""Placeholder until the feature lands."""

from django.http import Http404


def diary(request, *args, **kwargs):
    raise Http404


def log_watch(request, *args, **kwargs):
    raise Http404


def entry_delete(request, *args, **kwargs):
    raise Http404


def year_in_review(request, *args, **kwargs):
    raise Http404

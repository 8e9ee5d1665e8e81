"""Placeholder until the feature lands."""

from django.http import Http404


def follow(request, *args, **kwargs):
    raise Http404


def unfollow(request, *args, **kwargs):
    raise Http404


def feed(request, *args, **kwargs):
    raise Http404


def alerts(request, *args, **kwargs):
    raise Http404

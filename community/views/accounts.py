"""Placeholder until the feature lands."""

from django.http import Http404


def signup(request, *args, **kwargs):
    raise Http404


def settings_profile(request, *args, **kwargs):
    raise Http404


def export_data(request, *args, **kwargs):
    raise Http404


def delete_account(request, *args, **kwargs):
    raise Http404
